package http

// messages holds every text of the pages in Chinese and English; a page
// asks for a key ({{.T "key"}}) and gets it in its language. A test checks
// that every key a template uses is here, in both languages.
var messages = map[string][2]string{
	"site.name":               {"minimall 小商城", "minimall"},
	"nav.skip":                {"跳到正文", "Skip to content"},
	"nav.label":               {"账户", "Account"},
	"nav.signin":              {"登录", "Sign in"},
	"nav.signout":             {"退出登录", "Sign out"},
	"nav.otherlang":           {"English", "中文"},
	"foot.note":               {"个人信息的处理以隐私政策为准，并由代码执行。", "Personal information is handled as the privacy policy says, enforced by code."},
	"search.label":            {"搜索商品", "Search items"},
	"search.placeholder":      {"例如：耳机", "e.g. earphones"},
	"search.go":               {"搜索", "Search"},
	"search.title":            {"搜索", "Search"},
	"search.total":            {"共找到", "Results:"},
	"search.none":             {"没有找到商品。", "No items found."},
	"search.sort":             {"排序", "Sort"},
	"search.expired":          {"搜索链接已失效，请重新搜索。", "This search link has expired; please search again."},
	"search.personalised":     {"按你的搜索记录排序", "ranked with your search history"},
	"search.nonpersonalised":  {"未使用个人信息排序", "ranked without your personal information"},
	"sort.relevance":          {"综合", "Relevance"},
	"sort.price_asc":          {"价格从低到高", "Price: low to high"},
	"sort.price_desc":         {"价格从高到低", "Price: high to low"},
	"sort.newest":             {"最新", "Newest"},
	"home.title":              {"首页", "Home"},
	"home.categories":         {"商品类目", "Categories"},
	"home.hot":                {"热销榜", "Hot list"},
	"home.hot.note":           {"按全站汇总统计，与个人无关。", "Counted over everyone; linked to no one."},
	"home.feed":               {"为你推荐", "Recommended"},
	"home.feed.note":          {"未使用个人信息：所有访客看到相同的推荐。", "Not personalised: every visitor sees the same list."},
	"home.feed.personal":      {"猜你喜欢", "Picked for you"},
	"home.feed.personal.note": {"根据你的浏览、收藏和购买推荐；可在隐私设置中关闭。", "Based on what you viewed, saved and bought; you can turn this off in privacy settings."},
	"category.title":          {"类目", "Category"},
	"category.children":       {"子类目", "Subcategories"},
	"category.empty":          {"这个类目暂无商品。", "No items in this category yet."},
	"pages.label":             {"翻页", "Pages"},
	"pages.prev":              {"上一页", "Previous"},
	"pages.next":              {"下一页", "Next"},
	"item.title":              {"商品", "Item"},
	"item.instock":            {"库存", "In stock:"},
	"item.soldout":            {"已售罄", "Sold out"},
	"item.shop":               {"店铺：", "Shop:"},
	"signin.title":            {"登录", "Sign in"},
	"signin.login":            {"会员名或手机号", "Member name or phone number"},
	"signin.password":         {"密码", "Password"},
	"signin.go":               {"登录", "Sign in"},
	"error.title":             {"出错了", "Something went wrong"},
	"error.internal":          {"服务器内部错误，请稍后再试。", "An internal error occurred; please try again later."},
	"error.quote":             {"如需联系客服，请提供请求编号：", "If you contact us, quote the request id:"},
	"error.home":              {"返回首页", "Back to the home page"},
}

// message returns key in language l; an unknown key is returned as is
// (the template test keeps that from happening).
func message(key string, l lang) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	return m[l]
}
