package privacy

import "strings"

// ColumnClass classifies a table column for the schema test: every column
// of every table is one of these, so nothing personal is stored by accident.
type ColumnClass int

const (
	// NotPersonal: codes, times, amounts, catalogue data.
	NotPersonal ColumnClass = iota
	// Pseudonymous: random identifiers (subject ids, row ids), keyed hashes
	// (blind indexes, token hashes) and pseudonyms; they identify no one
	// without the key store or other tables (PIPL art. 73(3)).
	Pseudonymous
	// SealedPI: personal information, sealed by the vault; the column is a
	// field of the registry.
	SealedPI
	// OneWayHash: a password hash (argon2id); the password itself is never stored.
	OneWayHash
)

var columnClassNames = [...]string{"not_personal", "pseudonymous", "sealed", "one_way_hash"}

func (c ColumnClass) String() string { return columnClassNames[c] }

// columns classifies every column that is not a sealed registry field.
// Areas add their tables here when they add migrations; the schema test
// fails on any column that is missing.
var columns = map[string]ColumnClass{
	"schema_migrations.name": NotPersonal, "schema_migrations.applied_at": NotPersonal,

	"consents.id": Pseudonymous, "consents.subject": Pseudonymous, "consents.scope": NotPersonal,
	"consents.kind": NotPersonal, "consents.action": NotPersonal, "consents.policy_version": NotPersonal,
	"consents.channel": NotPersonal, "consents.evidence": NotPersonal, "consents.at": NotPersonal,

	"audit_log.chain": NotPersonal, "audit_log.seq": NotPersonal, "audit_log.at": NotPersonal,
	"audit_log.actor": Pseudonymous, "audit_log.subject": Pseudonymous, "audit_log.field": NotPersonal,
	"audit_log.purpose": NotPersonal, "audit_log.decision": NotPersonal, "audit_log.reason": NotPersonal,
	"audit_log.ref": Pseudonymous, "audit_log.mac": NotPersonal,
	"audit_subjects.subject": Pseudonymous, "audit_subjects.chain": NotPersonal, "audit_subjects.seq": NotPersonal,
	"audit_subjects.at": NotPersonal, "audit_indexed.chain": NotPersonal, "audit_indexed.seq": NotPersonal,

	"operators.id": Pseudonymous, "operators.role": NotPersonal, "operators.token_hash": Pseudonymous,
	"operators.created_at": NotPersonal, "operators.disabled_at": NotPersonal,
	// Pick-up points are business data (0044).
	"pickup_points.id": NotPersonal, "pickup_points.name": NotPersonal, "pickup_points.city": NotPersonal,
	"pickup_points.address": NotPersonal, "pickup_points.lat_e6": NotPersonal, "pickup_points.lng_e6": NotPersonal,
	"operator_sessions.token_hash": Pseudonymous, "operator_sessions.operator": Pseudonymous,
	"operator_sessions.created_at": NotPersonal, "operator_sessions.expires_at": NotPersonal,

	"subjects.id": Pseudonymous, "subjects.region": NotPersonal, "subjects.created_at": NotPersonal,
	"subjects.erased_at": NotPersonal, "subjects.erasure_repeat": NotPersonal, // 0033
	// How far the key store's deletion ledger was applied here (deletion.go).
	"deletion_replay.id": NotPersonal, "deletion_replay.through": NotPersonal,
	"held_act_replay.id": NotPersonal, "held_act_replay.through": NotPersonal, "accounts.password_set_at": NotPersonal,

	"accounts.subject": Pseudonymous, "accounts.phone_index": Pseudonymous, "accounts.member_name_index": Pseudonymous,
	"accounts.status": NotPersonal, "accounts.created_at": NotPersonal, "accounts.phone_confirmed_at": NotPersonal, "accounts.phone_recycled_at": NotPersonal, "accounts.held_until": NotPersonal,

	// Sign-in throttling (0029): keyed hashes of what was typed and of the
	// client's address, counts and times; kept a day after the last failure.
	"login_throttle.name_key": Pseudonymous, "login_throttle.client_key": Pseudonymous, "login_throttle.failures": NotPersonal,
	"login_throttle.blocked_until": NotPersonal, "login_throttle.last_failed_at": NotPersonal,

	"verification_codes.id": Pseudonymous, "verification_codes.phone_index": Pseudonymous, "verification_codes.purpose": NotPersonal,
	"verification_codes.code_hash": Pseudonymous, "verification_codes.attempts": NotPersonal, "verification_codes.expires_at": NotPersonal,
	"verification_codes.used_at": NotPersonal, "verification_codes.created_at": NotPersonal,

	"sessions.id": Pseudonymous, "sessions.subject": Pseudonymous, "sessions.token_hash": Pseudonymous,
	"sessions.kind": NotPersonal, "sessions.created_at": NotPersonal, "sessions.expires_at": NotPersonal,
	"sessions.revoked_at": NotPersonal,

	"profiles.subject": Pseudonymous, "profiles.updated_at": NotPersonal,

	"devices.id": Pseudonymous, "devices.subject": Pseudonymous, "devices.device_index": Pseudonymous,
	"devices.first_seen_at": NotPersonal, "devices.last_seen_at": NotPersonal,
	"fraud_reports.id": Pseudonymous, "fraud_reports.subject": Pseudonymous, "fraud_reports.status": NotPersonal,
	"fraud_reports.created_at": NotPersonal,

	"partner_disclosures.id": Pseudonymous, "partner_disclosures.subject": Pseudonymous,
	"partner_disclosures.partner": NotPersonal, "partner_disclosures.purpose": NotPersonal,
	"partner_disclosures.operation": NotPersonal, "partner_disclosures.fields": NotPersonal,
	"partner_disclosures.partner_ref": Pseudonymous, "partner_disclosures.request_id": NotPersonal,
	"partner_disclosures.at": NotPersonal, "partner_disclosures.status": NotPersonal,
	// 0022: a keyed hash (blind index) of the phone a pre-account code went to.
	"partner_disclosures.claim": Pseudonymous,
	// 0034: the key of one logical call across its retries (a payment's id).
	"partner_disclosures.idem_key": Pseudonymous,

	// Catalogue (0010): shop and item data is not personal; a shop's owner
	// is a subject id.
	"categories.id": NotPersonal, "categories.parent": NotPersonal, "categories.name": NotPersonal,
	"categories.position": NotPersonal, "categories.created_at": NotPersonal,
	"shops.id": NotPersonal, "shops.owner": Pseudonymous, "shops.name": NotPersonal, "shops.description": NotPersonal,
	"shops.status": NotPersonal, "shops.created_at": NotPersonal,
	"items.id": NotPersonal, "items.shop": NotPersonal, "items.category": NotPersonal, "items.title": NotPersonal,
	"items.description": NotPersonal, "items.price_fen": NotPersonal, "items.stock": NotPersonal,
	"items.attributes": NotPersonal, "items.images": NotPersonal, "items.status": NotPersonal,
	"items.created_at": NotPersonal, "items.updated_at": NotPersonal,
	// The address book (0028): the values are sealed (the registry).
	"addresses.id": Pseudonymous, "addresses.subject": Pseudonymous, "addresses.created_at": NotPersonal,
	// A seller's product pictures, re-encoded without metadata (0027).
	"item_images.item": NotPersonal, "item_images.position": NotPersonal, "item_images.content_type": NotPersonal,
	"item_images.data": NotPersonal, "item_images.width": NotPersonal, "item_images.height": NotPersonal,
	"item_images.created_at": NotPersonal,
	"channels.id":            NotPersonal, "channels.name": NotPersonal, "channels.description": NotPersonal, "channels.created_at": NotPersonal,
	"channel_items.channel": NotPersonal, "channel_items.item": NotPersonal, "channel_items.position": NotPersonal,
	"search_history.id": Pseudonymous, "search_history.subject": Pseudonymous, "search_history.query_index": Pseudonymous,
	"search_history.searched_at": NotPersonal,
	// The ranking switch is a setting, kept in clear like a consent record.
	"search_settings.subject": Pseudonymous, "search_settings.non_personalised": NotPersonal, "search_settings.updated_at": NotPersonal,

	// Engagement (0011): the target of each record is sealed (registry
	// fields); target_index is the person's own keyed pseudonym of it.
	"favourites.id": Pseudonymous, "favourites.subject": Pseudonymous, "favourites.target_index": Pseudonymous, "favourites.at": NotPersonal,
	"subscriptions.id": Pseudonymous, "subscriptions.subject": Pseudonymous, "subscriptions.target_index": Pseudonymous, "subscriptions.at": NotPersonal,
	"footprints.id": Pseudonymous, "footprints.subject": Pseudonymous, "footprints.target_index": Pseudonymous, "footprints.at": NotPersonal,
	"follows.id": Pseudonymous, "follows.subject": Pseudonymous, "follows.target_index": Pseudonymous, "follows.at": NotPersonal,
	"shares.id": Pseudonymous, "shares.subject": Pseudonymous, "shares.target_index": Pseudonymous, "shares.at": NotPersonal,
	"likes.id": Pseudonymous, "likes.subject": Pseudonymous, "likes.target_index": Pseudonymous, "likes.at": NotPersonal,

	// Cart and orders (0012): sealed values are registry fields; what stays
	// in clear is ids, states, quantities, times and keyed hashes.
	"cart_items.id": Pseudonymous, "cart_items.subject": Pseudonymous, "cart_items.item_index": Pseudonymous,
	"cart_items.quantity": NotPersonal, "cart_items.added_at": NotPersonal, "cart_items.updated_at": NotPersonal,
	"checkouts.subject": Pseudonymous, "checkouts.idem_key": Pseudonymous, "checkouts.request_hash": Pseudonymous,
	"checkouts.orders": Pseudonymous, "checkouts.created_at": NotPersonal,
	"orders.id": Pseudonymous, "orders.subject": Pseudonymous, "orders.shop": NotPersonal, "orders.status": NotPersonal,
	"orders.cross_border": NotPersonal, "orders.created_at": NotPersonal, "orders.updated_at": NotPersonal,
	// A recipient's own requests (0038): a blind index of the recipient
	// phone, and when a deletion restricted the recipient.
	"orders.recipient_phone_index": Pseudonymous, "orders.recipient_restricted_at": NotPersonal,
	"invoices.order_id": Pseudonymous, "invoices.subject": Pseudonymous, "invoices.created_at": NotPersonal,
	"payments.id": Pseudonymous, "payments.order_id": Pseudonymous, "payments.subject": Pseudonymous,
	"payments.idem_key": Pseudonymous, "payments.trade_no": Pseudonymous, "payments.kind": NotPersonal,
	"payments.created_at": NotPersonal, "payments.updated_at": NotPersonal, "payments.start_failed": NotPersonal,
	"shipments.id": Pseudonymous, "shipments.order_id": Pseudonymous, "shipments.subject": Pseudonymous,
	"shipments.waybill_no": Pseudonymous, "shipments.created_at": NotPersonal, "shipments.updated_at": NotPersonal,

	"subject_minors.subject": Pseudonymous, "subject_minors.state": NotPersonal, "subject_minors.changed_at": NotPersonal,
	"verifications.subject": Pseudonymous, "verifications.updated_at": NotPersonal,
	"minors.subject": Pseudonymous, "minors.state": NotPersonal, "minors.guardian_token_hash": Pseudonymous,
	"minors.created_at": NotPersonal, "minors.consented_at": NotPersonal,

	// Authorized login (0007): apps are not people; secrets, codes and
	// tokens are SHA-256 hashes of random values. Which app a person
	// authorized is kept in clear (client_id, scopes) so tokens can be
	// checked, like partner_disclosures.partner; the consent-screen record
	// itself is grant_sealed.
	"oauth_clients.id": NotPersonal, "oauth_clients.name": NotPersonal, "oauth_clients.redirect_uris": NotPersonal,
	"oauth_clients.scopes": NotPersonal, "oauth_clients.secret_hash": Pseudonymous, "oauth_clients.created_by": Pseudonymous,
	"oauth_clients.created_at": NotPersonal, "oauth_clients.disabled_at": NotPersonal,
	"oauth_grants.id": Pseudonymous, "oauth_grants.subject": Pseudonymous, "oauth_grants.client_id": NotPersonal,
	"oauth_grants.scopes": NotPersonal, "oauth_grants.created_at": NotPersonal, "oauth_grants.revoked_at": NotPersonal,
	"oauth_codes.id": Pseudonymous, "oauth_codes.code_hash": Pseudonymous, "oauth_codes.grant_id": Pseudonymous,
	"oauth_codes.client_id": NotPersonal, "oauth_codes.redirect_uri": NotPersonal, "oauth_codes.code_challenge": Pseudonymous,
	"oauth_codes.expires_at": NotPersonal, "oauth_codes.used_at": NotPersonal, "oauth_codes.created_at": NotPersonal,
	"oauth_tokens.id": Pseudonymous, "oauth_tokens.token_hash": Pseudonymous, "oauth_tokens.grant_id": Pseudonymous,
	"oauth_tokens.code_id": Pseudonymous, "oauth_tokens.created_at": NotPersonal, "oauth_tokens.expires_at": NotPersonal,
	"oauth_tokens.revoked_at": NotPersonal,

	// Rights requests (0013): the request, identity proof and next-of-kin
	// evidence are sealed registry fields; the answer holds codes, counts
	// and ids only.
	"rights_requests.id": Pseudonymous, "rights_requests.subject": Pseudonymous, "rights_requests.kind": NotPersonal,
	"rights_requests.filed_by": NotPersonal, "rights_requests.state": NotPersonal, "rights_requests.token_hash": Pseudonymous,
	"rights_requests.refused_reason": NotPersonal, "rights_requests.answer": Pseudonymous,
	"rights_requests.received_at": NotPersonal, "rights_requests.due_at": NotPersonal,
	"rights_requests.checked_at": NotPersonal, "rights_requests.closed_at": NotPersonal,
	"rights_requests.ref": Pseudonymous, // 0019: the decision an appeal is about
	// 0030: when an erasure's steps began, and whether partner notices wait.
	"rights_requests.erase_started_at": NotPersonal, "rights_requests.notices_pending": NotPersonal,
	// 0032: nonces of partners' callbacks, random, for the replay window.
	"partner_nonces.nonce": NotPersonal, "partner_nonces.seen_at": NotPersonal,

	// Automated decisions (0018): kinds, reason codes and outcomes from
	// closed lists; the factors are sealed; dedup is kind:subject:day.
	"decisions.id": Pseudonymous, "decisions.subject": Pseudonymous, "decisions.kind": NotPersonal,
	"decisions.dedup": Pseudonymous, "decisions.made_at": NotPersonal, "decisions.appeal_reason": NotPersonal,
	"decisions.appealed_at": NotPersonal, "decisions.outcome": NotPersonal, "decisions.answered_by": Pseudonymous,
	"decisions.answered_at": NotPersonal, "decisions.appeal_request": Pseudonymous,

	// Lifecycle (0014): sweep reports hold counts per table; the shutdown
	// flag and notices hold codes, times and subject ids.
	"retention_runs.id": NotPersonal, "retention_runs.started_at": NotPersonal, "retention_runs.finished_at": NotPersonal,
	"retention_runs.dry_run": NotPersonal, "retention_runs.shutdown": NotPersonal, "retention_runs.removed": NotPersonal,
	"retention_runs.report": NotPersonal,
	"platform_shutdown.id":  NotPersonal, "platform_shutdown.at": NotPersonal, "platform_shutdown.actor": Pseudonymous,
	"platform_shutdown.reason":   NotPersonal,
	"lifecycle_notifications.id": Pseudonymous, "lifecycle_notifications.subject": Pseudonymous,
	"lifecycle_notifications.kind": NotPersonal, "lifecycle_notifications.created_at": NotPersonal,
	"lifecycle_notifications.read_at": NotPersonal,

	// Cross-border transfers and security incidents (0017): ids, codes and
	// field names; the incident texts are the operator's, about no one.
	"cross_border_consents.id": Pseudonymous, "cross_border_consents.subject": Pseudonymous,
	"cross_border_consents.consent_id": Pseudonymous, "cross_border_consents.notice_version": NotPersonal,
	"cross_border_consents.action": NotPersonal, "cross_border_consents.at": NotPersonal,
	"cross_border_transfers.id": Pseudonymous, "cross_border_transfers.subject": Pseudonymous,
	"cross_border_transfers.order_id": Pseudonymous, "cross_border_transfers.recipient": NotPersonal,
	"cross_border_transfers.fields": NotPersonal, "cross_border_transfers.rule": NotPersonal,
	"cross_border_transfers.status": NotPersonal, "cross_border_transfers.at": NotPersonal, "cross_border_transfers.consent_id": Pseudonymous,
	"incidents.id": Pseudonymous, "incidents.title": NotPersonal, "incidents.what": NotPersonal,
	"incidents.impact": NotPersonal, "incidents.measures": NotPersonal, "incidents.advice": NotPersonal,
	"incidents.since": NotPersonal, "incidents.until": NotPersonal, "incidents.fields": NotPersonal,
	"incidents.purposes": NotPersonal, "incidents.tables_hit": NotPersonal, "incidents.recorded_by": Pseudonymous,
	"incidents.created_at": NotPersonal, "incidents.notified_at": NotPersonal,
	// A controller transfer names the receiving company and its published
	// contact, told to everyone (三(二)); the operator is pseudonymous.
	"controller_transfers.id": NotPersonal, "controller_transfers.cause": NotPersonal,
	"controller_transfers.recipient_name": NotPersonal, "controller_transfers.recipient_contact": NotPersonal,
	"controller_transfers.effective_at": NotPersonal, "controller_transfers.recorded_by": Pseudonymous,
	"controller_transfers.reference": NotPersonal, "controller_transfers.created_at": NotPersonal,
	"controller_transfers.notified_at": NotPersonal,
	"incident_subjects.incident":       Pseudonymous, "incident_subjects.subject": Pseudonymous, "incident_subjects.fields": NotPersonal,
	"lifecycle_notice_texts.kind": NotPersonal, "lifecycle_notice_texts.title": NotPersonal,
	"lifecycle_notice_texts.body": NotPersonal, "lifecycle_notice_texts.created_at": NotPersonal,

	// Recommendations (0016): profiles are keyed by a pseudonym derived from
	// the person's key (no subject column); the aggregates hold no person.
	"recommend_profiles.pseudonym": Pseudonymous, "recommend_profiles.updated_at": NotPersonal,
	"recommend_stats.item": NotPersonal, "recommend_stats.category": NotPersonal,
	"recommend_stats.score": NotPersonal, "recommend_stats.updated_at": NotPersonal,

	"outbox.id": NotPersonal, "outbox.at": NotPersonal, "outbox.topic": NotPersonal,
	// A payload carries ids of rows (sealed rows included), never a sealed
	// value or a (person, item) pair; the canaries check the feed after
	// their flows (http/canary_outbox_test.go).
	"outbox.subject": Pseudonymous, "outbox.payload": NotPersonal,
	"outbox_offsets.consumer": NotPersonal, "outbox_offsets.last_id": NotPersonal, "outbox_offsets.at": NotPersonal,

	"policy_versions.version": NotPersonal, "policy_versions.published_at": NotPersonal, "policy_versions.major": NotPersonal,
	"policy_versions.reasons": NotPersonal, "policy_versions.body": NotPersonal, "policy_versions.registry": NotPersonal,
	"policy_versions.published_by": Pseudonymous,

	// 0026: a complaint's state and deadline are its rights request's.
	"policy_complaints.id": Pseudonymous, "policy_complaints.subject": Pseudonymous, "policy_complaints.topic": NotPersonal,
	"policy_complaints.received_at": NotPersonal, "policy_complaints.updated_at": NotPersonal, "policy_complaints.handled_by": Pseudonymous,
	"public_disclosures.id": Pseudonymous, "public_disclosures.subject": Pseudonymous, "public_disclosures.fields": NotPersonal,
	"public_disclosures.ground": NotPersonal, "public_disclosures.legal_ref": NotPersonal, "public_disclosures.consent_id": Pseudonymous,
	"public_disclosures.operator": Pseudonymous, "public_disclosures.reference": Pseudonymous, "public_disclosures.at": NotPersonal,
}

// Classify returns the class of table.column, and false if it is not
// classified anywhere (which the schema test treats as a defect).
func Classify(table, column string) (ColumnClass, bool) {
	key := strings.ToLower(table + "." + column)
	if c, ok := columns[key]; ok {
		return c, true
	}
	for _, s := range registry {
		if s.Table != "" && strings.EqualFold(s.Table, table) && strings.EqualFold(s.Column, column) {
			if strings.HasSuffix(s.Column, "_hash") {
				return OneWayHash, true
			}
			return SealedPI, true
		}
		// A versioned field's counter says how often the value was sealed,
		// nothing about the value.
		if s.Versioned && strings.EqualFold(s.Table, table) && strings.EqualFold(s.VersionColumn(), column) {
			return NotPersonal, true
		}
	}
	return 0, false
}
