# First paste the export lines demo printed (B, SMS_SANDBOX_URL, …).
J='Content-Type: application/json'
# The one-time code is read from the SMS sandbox, as a phone would.
code() { curl -s "$SMS_SANDBOX_URL/sms/last?phone=$1" | sed -E 's/.*code is ([0-9]+).*/\1/'; }

# 1. Register: a code for purpose "register", then the account.
curl -s -H "$J" -X POST $B/api/v1/accounts/codes -d '{"phone":"13800138000","purpose":"register"}'
curl -s -H "$J" -X POST $B/api/v1/accounts -d '{"phone":"13800138000","code":"'$(code 13800138000)'",
  "member_name":"demo_shopper","password":"a-long-secret-1","accept_policy_version":1}'

# 2. Sign in with the password. $T is the bare session token (mms_…).
T=$(curl -s -H "$J" -X POST $B/api/v1/sessions -d '{"login":"demo_shopper","password":"a-long-secret-1"}' |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
curl -s -H "Authorization: Bearer $T" $B/api/v1/account
#    Or sign in with an SMS code: ask for one of purpose "login" (one code a phone a minute):
#    curl -s -H "$J" -X POST $B/api/v1/accounts/codes -d '{"phone":"13800138000","purpose":"login"}'
#    curl -s -H "$J" -X POST $B/api/v1/sessions -d '{"phone":"13800138000","code":"'$(code 13800138000)'"}'
#    Wrong passwords never lock an account: after 5 for one login from one client (20 from all
#    clients) each password try waits — 429 with Retry-After, 30 s doubling up to 15 min, the
#    same answer whether or not the login exists. A code sign-in is never held back and ends it.

# 3. Shop: search (连衣裙), add the first item to the cart, order it.
ITEM=$(curl -s -H "Authorization: Bearer $T" "$B/api/v1/search?q=%E8%BF%9E%E8%A1%A3%E8%A3%99" |
  grep -o '"id":"it_[a-z0-9]*"' | head -1 | cut -d'"' -f4)
curl -s -H "Authorization: Bearer $T" -H "$J" -X POST $B/api/v1/cart/items -d '{"item":"'$ITEM'","quantity":1}'
O=$(curl -s -H "Authorization: Bearer $T" -H "$J" -H 'Idempotency-Key: checkout-0001' -X POST $B/api/v1/orders \
  -d '{"from_cart":true,"recipient":{"name":"李四","address":"杭州市西湖区文三路100号","phone":"13966660001"}}' |
  grep -o '"id":"o_[a-z0-9]*"' | head -1 | cut -d'"' -f4)

# 4. Pay: the payment sandbox's page; the payer confirms and its signed notice marks the order paid.
PAY_URL=$(curl -s -H "Authorization: Bearer $T" -H 'Idempotency-Key: pay-0001' -X POST $B/api/v1/orders/$O/payments |
  sed -E 's/.*"pay_url":"([^"]+)".*/\1/')
curl -s -X POST "$PAY_URL"
curl -s -H "Authorization: Bearer $T" $B/api/v1/orders/$O          # "status":"paid"

# 5. The sharing list: what went to which partner, for what (field names, never values).
curl -s -H "Authorization: Bearer $T" $B/api/v1/account/disclosures

# 6. A copy of everything held about you: file the request, confirm with the code sent to your phone.
RR=$(curl -s -H "Authorization: Bearer $T" -H "$J" -X POST $B/api/v1/rights/requests -d '{"kind":"copy"}' |
  sed -E 's/.*"id":"(rr_[^"]+)".*/\1/')
curl -s -H "Authorization: Bearer $T" -H "$J" -X POST $B/api/v1/rights/requests/$RR/verify -d '{"code":"'$(code 13800138000)'"}'
curl -s -H "Authorization: Bearer $T" $B/api/v1/rights/requests/$RR/export > my-data.json

# 7. Deregister. A paid order not yet shipped stands in the way ("paid, not shipped"): refund it first.
curl -s -H "Authorization: Bearer $T" $B/api/v1/rights/deregistration/conditions
curl -s -H "Authorization: Bearer $T" -X POST $B/api/v1/orders/$O/refund
curl -s -H "Authorization: Bearer $T" $B/api/v1/rights/deregistration/conditions   # "may_deregister":true
DR=$(curl -s -H "Authorization: Bearer $T" -H "$J" -X POST $B/api/v1/rights/requests -d '{"kind":"deregister"}' |
  sed -E 's/.*"id":"(rr_[^"]+)".*/\1/')
curl -s -H "Authorization: Bearer $T" -H "$J" -X POST $B/api/v1/rights/requests/$DR/verify -d '{"code":"'$(code 13800138000)'"}'
#    → "state":"answered": the account is erased and this session ends.
