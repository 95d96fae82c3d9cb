package sandbox

import (
	"hash/fnv"
	"net/http"

	"minimall/privacy"
)

// adCreatives is the sandbox ad network's inventory.
var adCreatives = []struct{ id, title string }{
	{"ad_spring", "春季上新，全场满减 / spring arrivals"},
	{"ad_digital", "数码好物节 / gadget week"},
	{"ad_home", "家居焕新季 / home refresh"},
	{"ad_baby", "母婴囤货日 / baby essentials"},
	{"ad_food", "生鲜次日达 / fresh food next day"},
}

func adsKind() kind {
	return kind{ops: map[string]operation{
		// 三(一)5(2) 广告与分析服务: with personalised ads on, a pseudonymous
		// ad id and nothing else; off, nothing at all (purpose ad_serving,
		// which no field may be sent for).
		"ads/fill": {
			purposes: []privacy.Purpose{privacy.ForPersonalisedAds, privacy.ForAdServing},
			fields:   []privacy.Field{privacy.AdID},
			handle:   fillSlot,
		},
	}}
}

type adAnswer struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// fillSlot answers two ads for the slot: chosen by the ad id when there is
// one (the network's own targeting), else the same for every request.
func fillSlot(s *Sandbox, q *Request) (int, any) {
	slot, _ := q.Params["slot"].(string)
	if slot == "" {
		return bad("slot_missing")
	}
	start := 0
	if id := q.Fields[privacy.AdID]; id != "" {
		h := fnv.New32a()
		h.Write([]byte(id))
		start = int(h.Sum32() % uint32(len(adCreatives)))
	}
	ads := make([]adAnswer, 0, 2)
	for i := range 2 {
		c := adCreatives[(start+i)%len(adCreatives)]
		ads = append(ads, adAnswer{ID: c.id, Title: c.title, URL: "https://ads.sandbox.example/click/" + c.id + "?slot=" + slot})
	}
	return http.StatusOK, map[string]any{"ads": ads}
}
