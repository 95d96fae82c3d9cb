package privacy

// What a public disclosure (三(三), 三(五)) may ever publish, ground by
// ground. The policy's words bound each list: on a breach of the rules
// minimall discloses "the breach and the measures taken" (三(三)2), which
// names the account, not how to reach or find the person; nothing here
// lets a disclosure publish a secret, a contact, an address, a payment
// account, a device, a place or anything sensitive (TestRegistryPublishable).
// A ground missing from this table publishes nothing.
var publishable = map[string][]Field{
	// 三(三)1: what the person chose to show, as on their public profile.
	"separate_consent": {MemberName, Nickname, Avatar, Gender, BirthdayMonth},
	// 三(三)2: the account that broke the rules, or that endangers others.
	"rule_violation": {MemberName, Nickname, Avatar},
	"public_safety":  {MemberName, Nickname, Avatar},
	// 三(五)2, 三(五)6: a court or authority may order the legal name named.
	"legal_duty":      {MemberName, Nickname, Avatar, RealName},
	"other_statutory": {MemberName, Nickname, Avatar, RealName},
	// 三(五)3, 三(五)4: naming the account suffices.
	"emergency":      {MemberName, Nickname},
	"news_reporting": {MemberName, Nickname, Avatar},
	// 三(五)5: only what the person's profile already shows.
	"already_public": {Nickname, Avatar, Gender, BirthdayMonth},
}

// Publishable returns the fields a public disclosure on ground may ever
// publish, in registry order of declaration; none for an unknown ground.
func Publishable(ground string) []Field {
	return append([]Field(nil), publishable[ground]...)
}

// MayPublish reports whether a public disclosure on ground may publish f.
func MayPublish(ground string, f Field) bool {
	for _, x := range publishable[ground] {
		if x == f {
			return true
		}
	}
	return false
}
