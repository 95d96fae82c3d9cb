package privacy

// Fields of policy 二(四)-(五): reviews and homepage, notifications, activities, sharing and live rooms.
const (
	// Reviews and homepage 二(四)
	ReviewContent    Field = "review.content"
	ReviewAnonymous  Field = "review.anonymous"
	Comment          Field = "review.comment"
	QuestionAnswer   Field = "review.qa"
	HomepageContent  Field = "homepage.content"
	HomepageSettings Field = "homepage.settings"

	// Notifications, activities, sharing, live rooms 二(五)
	ContactPhone          Field = "notify.contact_phone"
	ContactEmail          Field = "notify.contact_email"
	MarketingPreferences  Field = "notify.marketing_prefs"
	ActivityContact       Field = "activity.contact"
	ActivityDelivery      Field = "activity.delivery"
	ActivityParticipation Field = "activity.participation"
	FaceEffectFeatures    Field = "activity.face_effect"
	ClipboardShareCode    Field = "share.clipboard_code"
	SharedMedia           Field = "share.media"
	LiveComment           Field = "live.comment"
	LiveLike              Field = "live.like"
	LiveTip               Field = "live.tip"
	LiveGift              Field = "live.gift"
	LiveFanLevel          Field = "live.fan_level"
)

// socialFields declares the fields of policy 二(四)-(五): reviews and homepage, notifications, activities, sharing and live rooms.
var socialFields = []FieldSpec{
	// 二(四) reviews, comments, Q&A, homepage: published by the person, so
	// consent-based and withdrawable.
	{
		Field: ReviewContent, Name: "评价和分享内容（文字、图片、视频）", NameEN: "review content (text, images, video)",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForReview, Consent}, {ForPublicDisplay, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "reviews", Column: "content_sealed", PersonMayEdit: true, Clause: "二(四)1",
	},
	{
		Field: ReviewAnonymous, Name: "匿名评价选择", NameEN: "anonymous review choice",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForReview, Consent}, {ForPublicDisplay, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "reviews", Column: "anonymous_sealed", PersonMayEdit: true, Clause: "二(四)1",
	},
	{
		Field: Comment, Name: "评论内容", NameEN: "comments",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForReview, Consent}, {ForPublicDisplay, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "comments", Column: "content_sealed", Clause: "二(四)1",
	},
	{
		Field: QuestionAnswer, Name: "问答内容", NameEN: "questions and answers",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForReview, Consent}, {ForPublicDisplay, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "questions", Column: "content_sealed", Clause: "二(四)1",
	},
	{
		Field: HomepageContent, Name: "个人主页发布的内容", NameEN: "homepage posts",
		Category: CatContent, Feature: FeatHomepage, Necessity: Optional, Basis: Consent,
		Uses:       []Use{{ForHomepage, Consent}, useRights},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "homepages", Column: "content_sealed", PersonMayEdit: true, Clause: "二(四)2",
	},
	{
		Field: HomepageSettings, Name: "个人主页及“找到我的方式”隐私设置", NameEN: "homepage and find-me privacy settings",
		Category: CatProfile, Feature: FeatHomepage, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForHomepage, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "homepages", Column: "settings_sealed", PersonMayEdit: true, Clause: "二(四)2, 四(四)1-2",
	},

	// 二(五)1 notifications.
	{
		Field: ContactPhone, Name: "联系电话（通知）", NameEN: "contact phone (notifications)",
		Category: CatContact, Feature: FeatNotification, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForNotification, Contract}, {ForMarketing, Consent}, {ForIncidentResponse, LegalDuty}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSMS, ForNotification}, {PartnerSMS, ForMarketing}, {PartnerSMS, ForIncidentResponse}},
		Table:      "notify_settings", Column: "contact_phone_sealed", PersonMayEdit: true, Clause: "二(五)1",
	},
	{
		Field: ContactEmail, Name: "联系邮箱（通知）", NameEN: "contact e-mail (notifications)",
		Category: CatContact, Feature: FeatNotification, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForNotification, Contract}, {ForMarketing, Consent}, {ForIncidentResponse, LegalDuty}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerEmail, ForNotification}, {PartnerEmail, ForMarketing}, {PartnerEmail, ForIncidentResponse}},
		Table:      "notify_settings", Column: "contact_email_sealed", PersonMayEdit: true, Clause: "二(五)1",
	},
	{
		Field: MarketingPreferences, Name: "消息通知设置（退订、免打扰）", NameEN: "notification settings (unsubscribe, do not disturb)",
		Category: CatProfile, Feature: FeatNotification, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForNotification, Contract}, {ForMarketing, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "notify_settings", Column: "marketing_prefs_sealed", PersonMayEdit: true, Clause: "二(二)4, 二(五)1",
	},

	// 二(五)2 promotional activities; a co-host gets what the activity
	// page names, after the person agrees.
	activityField(ActivityContact, "活动联系方式", "activity contact details", CatContact, "contact_sealed"),
	activityField(ActivityDelivery, "活动收货信息", "activity delivery details", CatDelivery, "delivery_sealed"),
	activityField(ActivityParticipation, "活动参与记录（报名、进度、权益、抽奖、兑奖）", "activity participation (entry, progress, benefits, draws)", CatBehaviour, "participation_sealed"),
	{
		// Skin and facial-feature parameters for stickers and make-up
		// effects are computed on the device (e.g. TrueDepth) and never
		// sent (二(五)2). The server refuses them: Seal denies a NotStored
		// field and no API takes them.
		Field: FaceEffectFeatures, Name: "皮肤和五官参数（拍摄特效）", NameEN: "skin and facial-feature parameters (camera effects)",
		Category: CatBiometric, Sensitive: true, Feature: FeatFaceEffects, Necessity: Optional, Basis: SeparateConsent,
		Uses:      []Use{{ForFaceEffects, SeparateConsent}},
		Retention: keepOnDevice,
		Clause:    "二(五)2",
	},

	// 二(五)3 sharing.
	{
		// The app reads the clipboard on the device and uploads only a
		// recognised Taobao-style command (口令、分享码、链接), which is
		// resolved in the request; any other clipboard text is refused.
		Field: ClipboardShareCode, Name: "剪贴板中的分享口令", NameEN: "share code from the clipboard",
		Category: CatBehaviour, Feature: FeatShare, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForShare, Contract}},
		Retention: keepInRequest,
		Clause:    "二(五)3",
	},
	{
		// Chosen from the album (album permission) to share or receive.
		Field: SharedMedia, Name: "分享的相册图片或视频", NameEN: "photos or videos shared from the album",
		Category: CatContent, Feature: FeatShare, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForShare, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "shares", Column: "media_sealed", Clause: "二(五)3",
	},

	// 二(五)4 live rooms: shown publicly in the room.
	liveField(LiveComment, "直播间评论", "live-room comments", CatContent, keepUntilErased, "comment_sealed"),
	liveField(LiveLike, "直播间点赞", "live-room likes", CatBehaviour, keepUntilErased, "like_sealed"),
	liveField(LiveTip, "直播间打赏", "live-room tips", CatTransaction, keepTransaction, "tip_sealed"),
	liveField(LiveGift, "直播间礼物", "live-room gifts", CatTransaction, keepTransaction, "gift_sealed"),
	liveField(LiveFanLevel, "粉丝等级", "fan level", CatBehaviour, keepUntilErased, "fan_level_sealed"),
}

// activityField declares what a promotional activity collects (二(五)2).
func activityField(f Field, name, nameEN string, cat Category, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: cat, Feature: FeatActivity, Necessity: Optional, Basis: Consent,
		Uses:       []Use{{ForActivity, Consent}, useRights},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerCoHost, ForActivity}},
		Table:      "activity_entries", Column: column, Clause: "二(五)2",
	}
}

// liveField declares a live-room interaction, shown publicly in the room.
func liveField(f Field, name, nameEN string, cat Category, keep Retention, column string) FieldSpec {
	uses := []Use{{ForLiveRoom, Consent}, useRights}
	if keep.Rule == AfterCompletion {
		uses = append(uses, useLegal) // tips and gifts are paid: transaction records
	}
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: cat, Feature: FeatLiveRoom, Necessity: Optional, Basis: Consent,
		Uses:       uses,
		Retention:  keep,
		Visibility: PublicDisplay,
		Table:      "live_interactions", Column: column, Clause: "二(五)4",
	}
}
