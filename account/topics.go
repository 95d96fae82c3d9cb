package account

// Change-feed topics of accounts and sessions, beside the ones declared
// with their flows (TopicPhoneChanged, TopicLevelChanged, ...). Payloads are
// empty or name a session row; never the account's personal information.
const (
	TopicRegistered     = "account.registered"
	TopicLocked         = "account.locked"
	TopicUnlocked       = "account.unlocked"
	TopicRecovered      = "account.recovered"
	TopicDeregistered   = "account.deregistered"
	TopicProfileChanged = "profile.changed"
	// TopicSessionRevoked names the revoked session ({"session": id}); other
	// nodes drop it from their session caches.
	TopicSessionRevoked = "session.revoked"
)
