package privacy

// Fields of policy 二(二): browsing, search, shopping guide, recommendation and advertising.
const (
	// Browsing 二(二)1, 三(一)5(1)C
	Favourite        Field = "engage.favourite"
	ShopSubscription Field = "engage.shop_subscription"
	Footprint        Field = "engage.footprint"
	Follow           Field = "engage.follow"
	Share            Field = "engage.share"
	Like             Field = "engage.like"
	ChannelRecord    Field = "engage.channel_record"

	// Search, shopping guide, recommendation 二(二)2-4
	SearchQuery          Field = "search.query"
	SearchImage          Field = "search.image"
	SearchVoice          Field = "search.voice"
	SearchActivity       Field = "search.activity"
	ShoppingGuideInput   Field = "guide.input"
	PreferenceFeatures   Field = "recommend.preference"
	RecommendationBlocks Field = "recommend.blocked"
	AdID                 Field = "ads.ad_id"
)

// shoppingFields declares the fields of policy 二(二): browsing, search, shopping guide, recommendation and advertising.
var shoppingFields = []FieldSpec{
	// 二(二)1 browsing records; the homepage may show follows, likes and
	// favourites (二(四)2), which the person controls there.
	{
		Field: Favourite, Name: "收藏记录", NameEN: "favourites",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "favourites", Column: "target_sealed", Clause: "二(二)1, 二(四)2",
	},
	{
		Field: ShopSubscription, Name: "订阅店铺记录", NameEN: "shop subscriptions",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForNotification, Contract}, {ForRecommendation, Consent}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "subscriptions", Column: "shop_sealed", Clause: "二(二)1, 二(五)1",
	},
	{
		Field: Footprint, Name: "足迹（浏览记录）", NameEN: "footprints (browsing history)",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForActivity, Consent}, useRights,
		},
		// A footprint serves revisiting recent views; older ones serve no
		// purpose the person asked for, so they go (GB/T 35273-2020 6.1 a:
		// the shortest time the purpose needs). engage.SweepFootprints.
		Retention: Retention{Rule: SinceCollection, Period: SixMonths,
			Reason: "足迹供您回看近期浏览的商品，自浏览之日起保存6个月后删除 / kept six months after the view so you can revisit it, then deleted"},
		Table: "footprints", Column: "target_sealed", Clause: "二(二)1",
	},
	{
		Field: Follow, Name: "关注记录", NameEN: "follows",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "follows", Column: "target_sealed", Clause: "二(二)1, 二(四)2",
	},
	{
		Field: Share, Name: "分享记录", NameEN: "shares",
		Category: CatBehaviour, Feature: FeatShare, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForShare, Contract}, {ForRecommendation, Consent}, {ForActivity, Consent}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "shares", Column: "target_sealed", Clause: "二(二)1, 二(五)3",
	},
	{
		Field: Like, Name: "点赞记录", NameEN: "likes",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "likes", Column: "target_sealed", Clause: "二(二)1, 二(四)2",
	},
	{
		Field: ChannelRecord, Name: "频道（小程序）登录、浏览、使用、订阅记录", NameEN: "channel (mini-program) records",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForBrowsing, Contract}, {ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "channel_records", Column: "record_sealed", Clause: "三(一)5(1)C",
	},

	// 二(二)2 search; the client may keep a local copy of the history.
	{
		Field: SearchQuery, Name: "搜索词", NameEN: "search query",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}, {ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "search_history", Column: "query_sealed", Clause: "二(二)2",
	},
	{
		// Taken with the camera permission or chosen by the person.
		Field: SearchImage, Name: "搜索图片", NameEN: "search image",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "search_history", Column: "image_sealed", Clause: "二(二)2",
	},
	{
		// Recorded with the microphone permission and turned into text in
		// the request; only the text is kept (as SearchQuery). Never
		// storing the recording keeps minimall from holding voiceprints
		// (biometric, PIPL art. 28), so the field itself is not sensitive.
		Field: SearchVoice, Name: "语音搜索信息", NameEN: "voice search input",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}},
		Retention: keepInRequest,
		Clause:    "二(二)2",
	},
	{
		Field: SearchActivity, Name: "搜索时间/次数及结果浏览记录/时间", NameEN: "search times, counts and result views",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}, {ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "search_history", Column: "activity_sealed", Clause: "二(二)2",
	},

	// 二(二)3-4 shopping guide, recommendation, advertising.
	{
		Field: ShoppingGuideInput, Name: "智能导购中您提交的信息", NameEN: "smart shopping guide input",
		Category: CatContent, Feature: FeatShoppingGuide, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForShoppingGuide, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "guide_sessions", Column: "input_sealed", Clause: "二(二)3",
	},
	{
		Field: PreferenceFeatures, Name: "偏好特征（模型预测）", NameEN: "preference features (predicted)",
		Category: CatBehaviour, Feature: FeatRecommendation, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForRecommendation, Consent}, {ForPersonalisedAds, Consent}, {ForMarketing, Consent},
			{ForShoppingGuide, Consent}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "recommend_profiles", Column: "preference_sealed", Clause: "二(二)3-4",
	},
	{
		Field: RecommendationBlocks, Name: "屏蔽的类似商品或类目", NameEN: "blocked similar items and categories",
		Category: CatBehaviour, Feature: FeatRecommendation, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "recommend_profiles", Column: "blocked_sealed", PersonMayEdit: true, Clause: "二(二)4",
	},
	{
		// A keyed pseudonym derived from the subject's key whenever it is
		// needed, never written, so erasure unlinks it. The ads partner gets
		// this and nothing that identifies the person (三(一)5(2)).
		Field: AdID, Name: "广告标识（假名）", NameEN: "advertising ID (pseudonymous)",
		Category: CatDevice, Feature: FeatPersonalisedAds, Necessity: Optional, Basis: Consent,
		Uses:       []Use{{ForPersonalisedAds, Consent}},
		Retention:  Retention{Rule: NotStored, Reason: "由您的密钥按需派生，不存储 / derived from your key when needed; never stored"},
		Visibility: Shared,
		Recipients: []Recipient{{PartnerAds, ForPersonalisedAds}},
		Clause:     "二(二)4, 三(一)5(2)",
	},
}
