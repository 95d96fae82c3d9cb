package privacy

// tables describes every table that holds sealed values (see Table). A
// new table adds its line here and its plain columns to schema.go; a new
// sealed column of a table listed here is only its registry line.
var tables = []Table{
	// Account 二(一): one row per person, bound to the subject.
	{Name: "accounts", Subject: "subject", Row: "subject"},
	{Name: "profiles", Subject: "subject", Row: "subject"},
	{Name: "oauth_grants", Subject: "subject", Row: "id", Order: "created_at"},
	{Name: "verifications", Subject: "subject", Row: "subject", Since: []string{"updated_at"}},
	{Name: "minors", Subject: "subject", Row: "subject"},

	// Shopping 二(二): one row per act; engagement's tables are swept by
	// engage itself (footprints expire by their own clock).
	{Name: "favourites", Subject: "subject", Row: "id", Order: "at"},
	{Name: "subscriptions", Subject: "subject", Row: "id", Order: "at"},
	{Name: "footprints", Subject: "subject", Row: "id", Order: "at"},
	{Name: "follows", Subject: "subject", Row: "id", Order: "at"},
	{Name: "shares", Subject: "subject", Row: "id", Order: "at"},
	{Name: "likes", Subject: "subject", Row: "id", Order: "at"},
	{Name: "search_history", Subject: "subject", Row: "id", Order: "searched_at", Since: []string{"searched_at"}},
	// Recommendation profiles are keyed by the person's pseudonym, never
	// by their subject id.
	{Name: "recommend_profiles", Row: "pseudonym"},

	// Orders 二(三): transaction records, retained by completion (order
	// retention.go), so no Since.
	{Name: "cart_items", Subject: "subject", Row: "id", Order: "added_at", Since: []string{"updated_at"}},
	{Name: "orders", Subject: "subject", Row: "id", Order: "created_at"},
	{Name: "invoices", Subject: "subject", Row: "order_id", Order: "created_at"},
	{Name: "payments", Subject: "subject", Row: "id", Order: "created_at"},
	{Name: "shipments", Subject: "subject", Row: "id", Order: "created_at"},
	// The address book: kept until the person removes an entry or goes.
	{Name: "addresses", Subject: "subject", Row: "id", Order: "created_at"},

	// Security 二(七): security logs, kept their period from the last sighting.
	{Name: "devices", Subject: "subject", Row: "id", Order: "first_seen_at", Since: []string{"last_seen_at"}},
	{Name: "fraud_reports", Subject: "subject", Row: "id", Order: "created_at", Since: []string{"created_at"}},

	// Rights 四, complaints 八, automated decisions 四(六). A decision is
	// kept from the last thing that happened to it.
	{Name: "rights_requests", Subject: "subject", Row: "id", Order: "received_at"},
	{Name: "policy_complaints", Subject: "subject", Row: "id", Order: "received_at"},
	{Name: "decisions", Subject: "subject", Row: "id", Order: "made_at", Since: []string{"made_at", "appealed_at", "answered_at"}},
}
