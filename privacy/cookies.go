package privacy

// Cookies are declared like fields: a cookie the site sets is in this
// list with why and for how long, the cookies page shows the list, and a
// test checks every Set-Cookie a page answers against it. An optional
// cookie is set only after the visitor accepts optional cookies, and
// withdrawing deletes it.

// Cookie is one cookie the site may set.
type Cookie struct {
	Name      string
	Purpose   string // Chinese
	PurposeEN string
	Lifetime  string // Chinese
	LifeEN    string
	Necessary bool // set without asking: the site does not work without it
}

var cookies = []Cookie{
	{Name: "minimall_session", Purpose: "保持登录状态（会话令牌）", PurposeEN: "Keeps you signed in (the session token)",
		Lifetime: "登录后30天，或退出登录时删除；运营后台为8小时", LifeEN: "30 days after signing in, or until you sign out; 8 hours in the console", Necessary: true},
	{Name: "minimall_csrf", Purpose: "防止其他网站冒用你的身份提交表单", PurposeEN: "Stops other sites from sending forms in your name",
		Lifetime: "关闭浏览器时删除", LifeEN: "Until the browser closes", Necessary: true},
	{Name: "minimall_lang", Purpose: "记住你选择的语言", PurposeEN: "Remembers the language you chose",
		Lifetime: "1年", LifeEN: "1 year", Necessary: true},
	{Name: "mm_reco", Purpose: "仅在你允许后：未登录时你对个性化推荐和个性化广告开关的选择，保存在本设备上", PurposeEN: "Only if you agree: your recommendation and ad switches while not signed in, kept on this device",
		Lifetime: "1年，或撤回同意时删除", LifeEN: "1 year, or until you withdraw", Necessary: false},
	{Name: "minimall_geo_refused", Purpose: "未登录时记住你拒绝了位置权限，48小时内不再询问（不含任何位置）", PurposeEN: "While not signed in, remembers that you declined the location prompt, so you are not asked again for 48 hours (holds no location)",
		Lifetime: "48小时", LifeEN: "48 hours", Necessary: true},
	{Name: "minimall_cookie_choice", Purpose: "记住你对可选Cookie的选择（允许或拒绝）", PurposeEN: "Remembers your choice about optional cookies (yes or no)",
		Lifetime: "1年", LifeEN: "1 year", Necessary: true},
	{Name: "minimall_recent", Purpose: "仅在你允许后：在本设备上记住你未登录时最近浏览的商品（商品编号，不发送给任何人）", PurposeEN: "Only if you agree: the items you viewed recently while not signed in, kept on this device (item ids, sent to nobody)",
		Lifetime: "90天，或撤回同意时删除", LifeEN: "90 days, or until you withdraw", Necessary: false},
	{Name: "minimall_ticket", Purpose: "运营后台：记住操作员当前处理的工单号，写入审计日志", PurposeEN: "Console: the ticket an operator works on, written to the audit log",
		Lifetime: "8小时", LifeEN: "8 hours", Necessary: true},
}

// Cookies returns the declared cookies.
func Cookies() []Cookie { return append([]Cookie(nil), cookies...) }

// CookieDeclared reports whether name is a declared cookie.
func CookieDeclared(name string) bool {
	for _, c := range cookies {
		if c.Name == name {
			return true
		}
	}
	return false
}
