package http_test

import (
	"net/http"
	"slices"
	"strings"

	"minimall"
)

// row is the matrix's entry for one route: what it is about (class), whose
// thing its {id} names (a fixture of authzWorld) and, for an operator
// route, the roles that may use it.
type row struct {
	class   string
	fixture string
	roles   []minimall.Role
	except  map[string]int // answers that differ from the class's, by caller name
	all     int            // the one status every caller gets, for a route refused to all the matrix can send
	uses    string         // the fixture a write here uses up (a "clear all")
	body    string         // the API request's body, when an empty object would be refused before the lookup
}

// operatorsDenied: a shopper's route that tells a signed-in operator 403.
var operatorsDenied = map[string]int{"customer_service": 403, "security": 403, "dpo": 403, "legal_hold": 403, "ops": 403}

// hiddenFromRoles: a console page of someone's request is, to a role that
// may not see it, a page of no request.
var hiddenFromRoles = map[string]int{"customer_service": hidden, "security": hidden, "legal_hold": hidden, "ops": hidden}

// matrix lists every route the server registers, API and pages, by
// class:
//   - public, page: anyone may ask (a bad token is still refused on the API);
//   - self: the signed-in shopper's own things, no id in the path;
//   - owned: a thing of the owner named in the path; to another shopper
//     it is exactly a thing that does not exist;
//   - hidden: as owned, but to everyone who may not see it, visitors and
//     operators included;
//   - seller: a shop's public items, changed by its seller or ops;
//   - operator, console: the roles listed, with a reason (the console: a
//     ticket), and nobody else.
//
// A route the server registers without a row fails the test.
var matrix = map[string]row{
	"GET /healthz":                                   {class: "public"},
	"GET /api/v1/ping":                               {class: "public"},
	"GET /api/v1/openapi.json":                       {class: "public"},
	"POST /api/v1/ops/clock/advance":                 {class: "operator", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"GET /api/v1/ops/clock":                          {class: "public"},
	"GET /api/v1/policy":                             {class: "public"},
	"POST /api/v1/accounts/codes":                    {class: "public"},
	"POST /api/v1/accounts":                          {class: "public"},
	"GET /api/v1/account":                            {class: "self"},
	"POST /api/v1/sessions":                          {class: "public"},
	"GET /api/v1/sessions":                           {class: "self"},
	"DELETE /api/v1/sessions/current":                {class: "self"},
	"DELETE /api/v1/sessions/{id}":                   {class: "owned", fixture: "session"},
	"GET /api/v1/account/profile":                    {class: "self"},
	"PATCH /api/v1/account/profile":                  {class: "self"},
	"GET /api/v1/members/{id}":                       {class: "public", fixture: "member"},
	"POST /api/v1/guardian-consents/withdrawal":      {class: "public"},
	"GET /api/v1/account/level":                      {class: "self"},
	"GET /api/v1/account/phone-check":                {class: "self"},
	"POST /api/v1/account/phone-check":               {class: "self"},
	"POST /api/v1/account/phone/codes":               {class: "self"},
	"PUT /api/v1/account/phone":                      {class: "self"},
	"GET /api/v1/consents":                           {class: "self"},
	"POST /api/v1/consents":                          {class: "self"},
	"GET /api/v1/account/disclosures":                {class: "self"},
	"POST /api/v1/security/devices":                  {class: "self"},
	"GET /api/v1/security/devices":                   {class: "self"},
	"DELETE /api/v1/security/devices/{id}":           {class: "owned", fixture: "device"},
	"POST /api/v1/security/lock":                     {class: "self"},
	"POST /api/v1/security/unlock":                   {class: "public"},
	"POST /api/v1/security/fraud-reports":            {class: "self"},
	"GET /api/v1/security/fraud-reports":             {class: "self"},
	"GET /api/v1/categories":                         {class: "public"},
	"GET /api/v1/categories/{id}/items":              {class: "public", fixture: "category"},
	"GET /api/v1/items/{id}":                         {class: "public", fixture: "item"},
	"GET /api/v1/shops/{id}":                         {class: "public", fixture: "shop"},
	"GET /api/v1/channels":                           {class: "public"},
	"GET /api/v1/channels/{id}":                      {class: "public", fixture: "channel"},
	"POST /api/v1/shops":                             {class: "self", except: operatorsDenied},
	"POST /api/v1/shops/{id}/items":                  {class: "seller", fixture: "shop", roles: []minimall.Role{minimall.RoleOps}},
	"PATCH /api/v1/items/{id}":                       {class: "seller", fixture: "item", roles: []minimall.Role{minimall.RoleOps}},
	"DELETE /api/v1/items/{id}":                      {class: "seller", fixture: "spare_item", roles: []minimall.Role{minimall.RoleOps}},
	"POST /api/v1/categories":                        {class: "operator", roles: []minimall.Role{minimall.RoleOps}},
	"POST /api/v1/channels":                          {class: "operator", roles: []minimall.Role{minimall.RoleOps}},
	"GET /api/v1/search":                             {class: "public"},
	"GET /api/v1/search/history":                     {class: "self"},
	"DELETE /api/v1/search/history":                  {class: "self", uses: "search_entry"},
	"DELETE /api/v1/search/history/{id}":             {class: "owned", fixture: "search_entry"},
	"GET /api/v1/search/settings":                    {class: "self"},
	"PUT /api/v1/search/settings":                    {class: "self"},
	"GET /api/v1/cart":                               {class: "self"},
	"POST /api/v1/cart/items":                        {class: "self", except: map[string]int{"owner": 404, "other": 404}},
	"PATCH /api/v1/cart/items/{id}":                  {class: "owned", fixture: "cart_line", body: `{"quantity":1}`},
	"DELETE /api/v1/cart/items/{id}":                 {class: "owned", fixture: "cart_line"},
	"GET /api/v1/cart/price-drops":                   {class: "self"},
	"GET /api/v1/recommendations":                    {class: "public"},
	"GET /api/v1/recommendations/hot":                {class: "public"},
	"POST /api/v1/recommendations/feedback":          {class: "public"},
	"GET /api/v1/recommendations/blocks":             {class: "self"},
	"POST /api/v1/recommendations/blocks":            {class: "self"},
	"DELETE /api/v1/recommendations/blocks":          {class: "self"},
	"GET /api/v1/recommendations/tags":               {class: "self"},
	"DELETE /api/v1/recommendations/tags/{category}": {class: "self", fixture: "category"},
	"GET /.well-known/oauth-authorization-server":    {class: "public", except: map[string]int{"revoked": 401, "forged": 401}}, // not a page: a bad token is refused
	"GET /api/v1/recommendations/settings":           {class: "public"},
	"PUT /api/v1/recommendations/settings":           {class: "public"},
	"GET /api/v1/ads":                                {class: "public"},
	"POST /api/v1/orders":                            {class: "self"},
	"GET /api/v1/orders":                             {class: "self"},
	"GET /api/v1/orders/{id}":                        {class: "owned", fixture: "order"},
	"POST /api/v1/orders/{id}/cancel":                {class: "owned", fixture: "order"},
	"POST /api/v1/orders/{id}/payments":              {class: "owned", fixture: "order"},
	"POST /api/v1/orders/{id}/refund":                {class: "owned", fixture: "order"},
	"GET /api/v1/seller/shops/{id}/orders":           {class: "owned", fixture: "shop"},
	"GET /api/v1/seller/orders/{id}":                 {class: "owned", fixture: "sold_order"},
	"POST /api/v1/seller/orders/{id}/shipments":      {class: "owned", fixture: "sold_order"},
	"POST /api/v1/partners/payment/notify":           {all: 401},
	"POST /api/v1/partners/logistics/tracking":       {all: 401},
	"GET /api/v1/identity":                           {class: "self"},
	"POST /api/v1/identity/real-name":                {class: "self"},
	"POST /api/v1/identity/payment-real-name":        {class: "self"},
	"POST /api/v1/identity/face":                     {class: "self", except: map[string]int{"owner": 403, "other": 403}},
	"POST /api/v1/guardian-consents":                 {class: "public"},
	"POST /api/v1/account-recovery":                  {class: "public"},
	"POST /api/v1/ops/oauth/clients":                 {class: "operator", roles: []minimall.Role{minimall.RoleOps}},
	"GET /api/v1/oauth/authorize":                    {class: "self"},
	"POST /api/v1/oauth/authorize":                   {class: "self"},
	"POST /api/v1/oauth/token":                       {class: "public"},
	"GET /api/v1/oauth/userinfo":                     {class: "self", except: map[string]int{"owner": 401, "other": 401}},
	"GET /api/v1/account/authorizations":             {class: "self"},
	"DELETE /api/v1/account/authorizations/{id}":     {class: "owned", fixture: "grant"},
	"POST /api/v1/rights/requests":                   {class: "self"},
	"GET /api/v1/rights/requests":                    {class: "self"},
	"GET /api/v1/rights/requests/{id}":               {class: "hidden", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /api/v1/rights/requests/{id}/verify":       {class: "owned", fixture: "rights_request"},
	"GET /api/v1/rights/requests/{id}/export":        {class: "hidden", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"GET /api/v1/rights/deregistration/conditions":   {class: "self"},
	"POST /api/v1/rights/consents":                   {class: "self"},
	"POST /api/v1/rights/next-of-kin":                {class: "public"},
	"POST /api/v1/rights/guardian":                   {class: "public"},
	"POST /api/v1/rights/recipient":                  {class: "public"},
	"GET /api/v1/ops/rights/requests":                {class: "operator", roles: []minimall.Role{minimall.RoleDPO}},
	"GET /api/v1/ops/rights/requests/{id}":           {class: "hidden", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /api/v1/ops/rights/requests/{id}/review":   {class: "operator", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /api/v1/ops/rights/requests/{id}/answer":   {class: "operator", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /api/v1/ops/rights/requests/{id}/refuse":   {class: "operator", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"GET /api/v1/policy/lists":                       {class: "public"},
	"GET /api/v1/policy/text":                        {class: "public"},
	"GET /api/v1/policy/versions":                    {class: "public"},
	"GET /api/v1/policy/versions/{n}":                {class: "public", fixture: "policy_version"},
	"POST /api/v1/policy/versions":                   {class: "operator", roles: []minimall.Role{minimall.RoleDPO}},
	"GET /api/v1/policy/changes":                     {class: "public"},
	"POST /api/v1/policy/accept":                     {class: "self"},
	"GET /api/v1/policy/disclosure-grounds":          {class: "public"},
	"GET /api/v1/contact":                            {class: "public"},
	"POST /api/v1/complaints":                        {class: "self"},
	"GET /api/v1/complaints":                         {class: "self"},
	"GET /api/v1/ops/complaints":                     {class: "operator", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /api/v1/ops/complaints/{id}":               {class: "operator", fixture: "complaint", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /api/v1/ops/public-disclosures":            {class: "operator", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleLegalHold}},
	"GET /api/v1/ops/public-disclosures":             {class: "operator", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleLegalHold}},
	"GET /api/v1/account/public-disclosures":         {class: "self"},
	"GET /api/v1/policy/controller":                  {class: "public"},
	"POST /api/v1/ops/controller-transfers":          {class: "operator", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /api/v1/ops/legal-holds":                   {class: "operator", roles: []minimall.Role{minimall.RoleLegalHold}},
	"GET /api/v1/ops/legal-holds":                    {class: "operator", roles: []minimall.Role{minimall.RoleLegalHold, minimall.RoleDPO}},
	"POST /api/v1/ops/legal-holds/{id}/release":      {class: "operator", fixture: "legal_hold", roles: []minimall.Role{minimall.RoleLegalHold}},
	"GET /api/v1/account/legal-holds":                {class: "self"},
	"POST /api/v1/ops/authority-requests":            {class: "operator", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleLegalHold}},
	"GET /api/v1/ops/authority-requests":             {class: "operator", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleLegalHold}},
	"POST /api/v1/ops/authority-requests/{id}/lift":  {class: "operator", fixture: "authority_request", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleLegalHold}},
	"GET /api/v1/account/authority-requests":         {class: "self"},
	"POST /api/v1/account/favourites":                {class: "self"},
	"GET /api/v1/account/favourites":                 {class: "self"},
	"DELETE /api/v1/account/favourites":              {class: "self", uses: "favourites"},
	"DELETE /api/v1/account/favourites/{id}":         {class: "owned", fixture: "favourites"},
	"POST /api/v1/account/subscriptions":             {class: "self"},
	"GET /api/v1/account/subscriptions":              {class: "self"},
	"DELETE /api/v1/account/subscriptions":           {class: "self", uses: "subscriptions"},
	"DELETE /api/v1/account/subscriptions/{id}":      {class: "owned", fixture: "subscriptions"},
	"POST /api/v1/account/footprints":                {class: "self"},
	"GET /api/v1/account/footprints":                 {class: "self"},
	"DELETE /api/v1/account/footprints":              {class: "self", uses: "footprints"},
	"DELETE /api/v1/account/footprints/{id}":         {class: "owned", fixture: "footprints"},
	"POST /api/v1/account/follows":                   {class: "self"},
	"GET /api/v1/account/follows":                    {class: "self"},
	"DELETE /api/v1/account/follows":                 {class: "self", uses: "follows"},
	"DELETE /api/v1/account/follows/{id}":            {class: "owned", fixture: "follows"},
	"POST /api/v1/account/shares":                    {class: "self"},
	"GET /api/v1/account/shares":                     {class: "self"},
	"DELETE /api/v1/account/shares":                  {class: "self", uses: "shares"},
	"DELETE /api/v1/account/shares/{id}":             {class: "owned", fixture: "shares"},
	"POST /api/v1/account/likes":                     {class: "self"},
	"GET /api/v1/account/likes":                      {class: "self"},
	"DELETE /api/v1/account/likes":                   {class: "self", uses: "likes"},
	"DELETE /api/v1/account/likes/{id}":              {class: "owned", fixture: "likes"},
	"POST /api/v1/ops/retention/run":                 {class: "operator", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleOps}},
	"GET /api/v1/ops/retention/last":                 {class: "operator", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleOps}},
	"POST /api/v1/ops/shutdown":                      {class: "operator", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleOps}},
	"GET /api/v1/ops/shutdown":                       {class: "operator", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"GET /api/v1/account/notifications":              {class: "self"},
	"GET /api/v1/cross-border/notice":                {class: "self"},
	"POST /api/v1/cross-border/consents":             {class: "self"},
	"POST /api/v1/cross-border/transfers":            {class: "self"},
	"GET /api/v1/cross-border/transfers":             {class: "self"},
	"GET /api/v1/account/decisions":                  {class: "self"},
	"GET /api/v1/account/decisions/{id}":             {class: "owned", fixture: "decision"},
	"POST /api/v1/account/decisions/{id}/appeal":     {class: "owned", fixture: "decision"},
	"POST /api/v1/ops/decisions/{id}/answer":         {class: "operator", fixture: "decision", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"POST /api/v1/ops/incidents":                     {class: "operator", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"GET /api/v1/ops/incidents/{id}":                 {class: "operator", fixture: "incident", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"GET /api/v1/ops/incidents/{id}/report":          {class: "operator", fixture: "incident", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"GET /metrics":                                   {class: "public"},
	"GET /static/{file}":                             {class: "page", fixture: "static"},
	"GET /images/items/{id}":                         {class: "page", fixture: "item"},
	"POST /lang":                                     {class: "page"},
	"GET /cookies":                                   {class: "page"},
	"POST /cookies/choice":                           {class: "page"},
	"POST /cookies/switches":                         {class: "page"},
	"GET /pickup-points":                             {class: "page"},
	"GET /recipient":                                 {class: "page"},
	"GET /guardian":                                  {class: "page"},
	"POST /guardian/code":                            {class: "page"},
	"POST /guardian":                                 {class: "page"},
	"POST /recipient/code":                           {class: "page"},
	"POST /recipient":                                {class: "page"},
	"POST /pickup-points/location-refused":           {class: "page"},
	"GET /signin":                                    {class: "page"},
	"POST /signin":                                   {class: "page"},
	"POST /signin/code":                              {class: "page"},
	"POST /signout":                                  {class: "page"},
	"GET /{$}":                                       {class: "page"},
	"GET /categories/{id}":                           {class: "page", fixture: "category"},
	"GET /items/{id}":                                {class: "page", fixture: "item"},
	"GET /search":                                    {class: "page"},
	"POST /search":                                   {class: "page"},
	"GET /register":                                  {class: "page"},
	"POST /register/code":                            {class: "page"},
	"POST /register":                                 {class: "page"},
	"GET /account/privacy":                           {class: "self"},
	"POST /account/privacy/functions":                {class: "self"},
	"POST /account/privacy/search":                   {class: "self"},
	"GET /account/footprints":                        {class: "self"},
	"POST /account/footprints/clear":                 {class: "self", uses: "footprints"},
	"POST /account/footprints/{id}/remove":           {class: "owned", fixture: "footprints"},
	"GET /account/favourites":                        {class: "self"},
	"POST /account/favourites/clear":                 {class: "self", uses: "favourites"},
	"POST /account/favourites/{id}/remove":           {class: "owned", fixture: "favourites"},
	"POST /account/favourites":                       {class: "self"},
	"GET /account/searches":                          {class: "self"},
	"POST /account/searches/clear":                   {class: "self", uses: "search_entry"},
	"GET /account/interests":                         {class: "self"},
	"POST /account/interests/{category}/delete":      {class: "self", fixture: "category"},
	"GET /account/consents":                          {class: "self"},
	"GET /contact":                                   {class: "page"},
	"POST /contact/complaints":                       {class: "self"},
	"GET /account/privacy/data":                      {class: "self"},
	"POST /account/privacy/requests":                 {class: "self"},
	"GET /account/privacy/requests/{id}":             {class: "owned", fixture: "rights_request"},
	"POST /account/privacy/requests/{id}/verify":     {class: "owned", fixture: "rights_request"},
	"GET /account/privacy/requests/{id}/export":      {class: "owned", fixture: "rights_request"},
	"GET /account/deregister":                        {class: "self"},
	"GET /account/correct":                           {class: "self"},
	"POST /account/correct":                          {class: "self"},
	"GET /account/decisions":                         {class: "self"},
	"GET /account/decisions/{id}":                    {class: "owned", fixture: "decision"},
	"POST /account/decisions/{id}/appeal":            {class: "owned", fixture: "decision"},
	"GET /account/security":                          {class: "self"},
	"POST /account/security/sessions/{id}/revoke":    {class: "owned", fixture: "session"},
	"POST /account/security/devices/{id}/remove":     {class: "owned", fixture: "device"},
	"POST /account/security/lock":                    {class: "self"},
	"POST /account/security/fraud-reports":           {class: "self"},
	"GET /account/addresses":                         {class: "self"},
	"POST /account/addresses":                        {class: "self"},
	"POST /account/addresses/{id}/remove":            {class: "owned", fixture: "address"},
	"GET /account/apps":                              {class: "self"},
	"POST /account/apps/{id}/revoke":                 {class: "owned", fixture: "grant"},
	"GET /cart":                                      {class: "self"},
	"POST /cart/items":                               {class: "self"},
	"POST /cart/items/{id}/quantity":                 {class: "owned", fixture: "cart_line"},
	"POST /cart/items/{id}/remove":                   {class: "owned", fixture: "cart_line"},
	"GET /checkout":                                  {class: "self"},
	"POST /checkout":                                 {class: "self"},
	"GET /orders":                                    {class: "self"},
	"GET /orders/{id}":                               {class: "owned", fixture: "order"},
	"POST /orders/{id}/pay":                          {class: "owned", fixture: "order"},
	"POST /orders/{id}/cross-border/consent":         {class: "owned", fixture: "order"},
	"POST /orders/{id}/cross-border/send":            {class: "owned", fixture: "order"},
	"GET /seller":                                    {class: "self"},
	"POST /seller/shops":                             {class: "self"},
	"GET /seller/shops/{id}":                         {class: "owned", fixture: "shop"},
	"POST /seller/shops/{id}/items":                  {class: "owned", fixture: "shop"},
	"POST /seller/items/{id}/picture":                {class: "seller", fixture: "item"},
	"GET /seller/orders/{id}":                        {class: "owned", fixture: "sold_order"},
	"POST /seller/orders/{id}/ship":                  {class: "owned", fixture: "sold_order"},
	"GET /console/signin":                            {class: "page"},
	"POST /console/signin":                           {all: 401},
	"GET /console":                                   {class: "console", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"POST /console/signout":                          {class: "console", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"GET /console/audit":                             {class: "console", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"POST /console/audit/verify":                     {class: "console", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleSecurity}},
	"GET /console/retention":                         {class: "console", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleOps}},
	"POST /console/retention/run":                    {class: "console", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleOps}},
	"GET /console/rights":                            {class: "console", roles: []minimall.Role{minimall.RoleDPO}},
	"GET /console/rights/{id}":                       {class: "console", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}, except: hiddenFromRoles},
	"POST /console/rights/{id}/answer":               {class: "console", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /console/rights/{id}/refuse":               {class: "console", fixture: "rights_request", roles: []minimall.Role{minimall.RoleDPO}},
	"GET /console/complaints":                        {class: "console", roles: []minimall.Role{minimall.RoleDPO}},
	"POST /console/complaints/{id}":                  {class: "console", fixture: "complaint", roles: []minimall.Role{minimall.RoleDPO}},
	"GET /console/appeals":                           {class: "console", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"POST /console/appeals/{id}/answer":              {class: "console", fixture: "decision", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"GET /console/incidents":                         {class: "console", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"POST /console/incidents":                        {class: "console", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"GET /console/incidents/{id}":                    {class: "console", fixture: "incident", roles: []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	"GET /console/disclosures":                       {class: "console", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleLegalHold}},
	"POST /console/disclosures":                      {class: "console", roles: []minimall.Role{minimall.RoleDPO, minimall.RoleLegalHold}},
	"GET /console/lists":                             {class: "console", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"GET /console/sharing":                           {class: "console", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"GET /console/consents":                          {class: "console", roles: []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleDPO, minimall.RoleLegalHold, minimall.RoleOps}},
	"GET /policy":                                    {class: "page"},
	"GET /policy/versions":                           {class: "page"},
	"GET /policy/versions/{n}":                       {class: "page", fixture: "policy_version"},
	"GET /policy/accept":                             {class: "self"},
	"POST /policy/accept":                            {class: "self"},
}

// Expected answers beyond a plain status.
const (
	allowed = -1 // not refused for who asks: neither 401, 403 nor 404 (a 404 only once the thing was used up)
	hidden  = -2 // exactly the answer the same caller gets for an id that names nothing
)

// want returns the answer route's row expects for c.
func (r row) want(route string, c caller) int {
	if s, ok := r.except[c.name]; ok {
		return s
	}
	page := !strings.Contains(route, " /api/") && !strings.HasSuffix(route, " /healthz") && !strings.HasSuffix(route, " /metrics")
	entitled := c.role != "" && c.reason && slices.Contains(r.roles, c.role)
	if r.all != 0 && (c.role == "" || c.reason || page) {
		return r.all
	}
	switch {
	case c.role != "" && !c.reason && !page:
		return http.StatusBadRequest // X-Access-Reason is missing
	case (c == revokedCaller || c == forgedCaller) && !page:
		return http.StatusUnauthorized
	case c == revokedCaller || c == forgedCaller:
		c = visitorCaller // a page with an ended session is a visitor's page
	}
	switch r.class {
	case "public", "page":
		return allowed
	case "hidden":
		// The thing's page answers its owner and the roles that serve
		// it; to anyone else it does not exist, whoever they are.
		if c == ownerCaller || entitled {
			return allowed
		}
		return hidden
	case "seller":
		// A shop's items are public: who may change them is no secret.
		switch {
		case c == ownerCaller || entitled:
			return allowed
		case c == otherCaller:
			return http.StatusForbidden
		case page:
			return http.StatusSeeOther // the seller's pages are a signed-in shopper's
		case c == visitorCaller:
			return http.StatusUnauthorized
		}
		return http.StatusForbidden
	case "self", "owned":
		switch {
		case c == ownerCaller:
			return allowed
		case c == otherCaller && r.class == "self":
			return allowed
		case c == otherCaller:
			return hidden
		case page:
			return http.StatusSeeOther // to the sign-in page
		}
		return http.StatusUnauthorized
	case "operator", "console":
		switch {
		case entitled:
			return allowed
		case page:
			if c.role != "" && c.reason {
				return http.StatusForbidden
			}
			return http.StatusSeeOther // to the console's sign-in page
		case c == visitorCaller:
			return http.StatusUnauthorized
		}
		return http.StatusForbidden
	}
	panic("unknown class " + r.class)
}
