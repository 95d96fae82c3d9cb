package recommend

import (
	"context"
	"encoding/json"
	"slices"

	"minimall"
	"minimall/partner"
	"minimall/privacy"
)

// Blocks returns what the person blocked. Returns Unauthorized for a
// visitor; an empty list when personalisation is off (nothing is read).
func (s *Service) Blocks(ctx context.Context, a minimall.Actor) (*Blocks, error) {
	const op = "recommend.Blocks"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if on, err := s.consented(ctx, a, privacy.FeatRecommendation); err != nil || !on {
		return &Blocks{Categories: []string{}, Similar: []Similar{}}, err
	}
	pseud, err := s.pseudonym(ctx, a.Subject)
	if err != nil {
		return nil, err
	}
	_, blocked, err := s.row(ctx, pseud)
	if err != nil {
		return nil, err
	}
	return s.openBlocks(ctx, a.Subject, pseud, blocked)
}

// Block hides a category (with its subcategories) or the items similar to
// one item (same category and shop) from the person's recommendations,
// from the next page they load (policy 二(二)4 措施3). Returns Unauthorized
// for a visitor, Invalid unless exactly one of category and similarTo is
// given, NotFound for an unknown category or item, Conflict when
// personalised recommendation is off (the list then holds nothing of
// theirs to filter, and nothing of theirs is kept).
func (s *Service) Block(ctx context.Context, a minimall.Actor, category, similarTo string) (*Blocks, error) {
	const op = "recommend.Block"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if (category == "") == (similarTo == "") {
		return nil, minimall.Errorf(minimall.Invalid, op, "Give either a category or an item (similar_to). 请指定类目或商品之一。")
	}
	if on, err := s.consented(ctx, a, privacy.FeatRecommendation); err != nil {
		return nil, err
	} else if !on {
		return nil, minimall.Errorf(minimall.Conflict, op, "Personalised recommendation is off; turn it on to keep blocks. 个性化推荐已关闭，开启后方可设置屏蔽。")
	}
	bl, err := s.Blocks(ctx, a)
	if err != nil {
		return nil, err
	}
	if category != "" {
		cats, err := s.catalog.CategoryAndChildren(ctx, category)
		if err != nil {
			return nil, err
		}
		if len(cats) == 0 {
			return nil, minimall.Errorf(minimall.NotFound, op, "No such category. 类目不存在。")
		}
		for _, c := range cats {
			if !slices.Contains(bl.Categories, c) {
				bl.Categories = append(bl.Categories, c)
			}
		}
	} else {
		it, err := s.catalog.Item(ctx, similarTo)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(bl.Similar, func(x Similar) bool { return x.Item == it.ID }) {
			bl.Similar = append(bl.Similar, Similar{Item: it.ID, Category: it.Category, Shop: it.Shop})
		}
	}
	if len(bl.Categories)+len(bl.Similar) > 500 {
		return nil, minimall.Errorf(minimall.Conflict, op, "Too many blocks (500). 屏蔽项过多（500）。")
	}
	return bl, s.saveBlocks(ctx, a, bl)
}

// ClearBlocks removes every block. Returns Unauthorized for a visitor.
func (s *Service) ClearBlocks(ctx context.Context, a minimall.Actor) error {
	const op = "recommend.ClearBlocks"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	if on, err := s.consented(ctx, a, privacy.FeatRecommendation); err != nil || !on {
		return err // off: the profile and its blocks were deleted with the consent
	}
	return s.saveBlocks(ctx, a, &Blocks{Categories: []string{}, Similar: []Similar{}})
}

func (s *Service) saveBlocks(ctx context.Context, a minimall.Actor, bl *Blocks) error {
	pseud, err := s.pseudonym(ctx, a.Subject)
	if err != nil {
		return err
	}
	return s.save(ctx, a.Subject, pseud, privacy.RecommendationBlocks, bl)
}

// Settings returns the person's switches from the consent ledger. Ask is
// set when either switch was never answered (or predates the last major
// policy change) on the account. Returns Unauthorized for a visitor: a
// visitor's switches live on their device.
func (s *Service) Settings(ctx context.Context, a minimall.Actor) (*Settings, error) {
	const op = "recommend.Settings"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	set := &Settings{Scope: "account"}
	for _, f := range []struct {
		id privacy.FeatureID
		to *bool
	}{{privacy.FeatRecommendation, &set.Recommendation}, {privacy.FeatPersonalisedAds, &set.PersonalisedAds}} {
		st, _, err := s.k.Consents.State(ctx, a.Subject, privacy.FeatureScope(f.id))
		if err != nil {
			return nil, err
		}
		*f.to = st == privacy.Granted
		set.Ask = set.Ask || st == privacy.NeverAsked || st == privacy.Outdated
	}
	return set, nil
}

// Change is a change of switches; nil leaves one as it is.
type Change struct {
	Recommendation  *bool `json:"recommendation"`
	PersonalisedAds *bool `json:"personalised_ads"`
}

// SetSettings records the switches as grants or withdrawals in the consent
// ledger; they hold from the next request (PIPL art. 15). Turning
// recommendation off deletes the profile and blocks at once. evidence is
// the request id. Returns Unauthorized for a visitor.
func (s *Service) SetSettings(ctx context.Context, a minimall.Actor, c Change, evidence string) (*Settings, error) {
	const op = "recommend.SetSettings"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		id privacy.FeatureID
		on *bool
	}{{privacy.FeatRecommendation, c.Recommendation}, {privacy.FeatPersonalisedAds, c.PersonalisedAds}} {
		if f.on == nil {
			continue
		}
		action := privacy.Withdraw
		if *f.on {
			action = privacy.Grant
		}
		if _, err := s.k.Consents.Record(ctx, privacy.ConsentChange{Subject: a.Subject, Scope: privacy.FeatureScope(f.id),
			Kind: privacy.General, Action: action, Channel: "api", Evidence: evidence}); err != nil {
			return nil, err
		}
		if f.id == privacy.FeatRecommendation && !*f.on {
			if err := s.Forget(ctx, a.Subject); err != nil {
				return nil, err
			}
		}
	}
	return s.Settings(ctx, a)
}

// Ads fills an ad slot through the ads partner. With personalised ads on,
// the partner gets the person's pseudonymous ad id and nothing else; off,
// or for a visitor, the request names no one: no field, no subject, a
// one-off ref, under a purpose no personal field may be sent for
// (三(一)5(2): 我们不会将您的个人身份信息委托合作方处理). Returns Invalid for
// an unknown slot, Unavailable when the partner cannot be reached.
func (s *Service) Ads(ctx context.Context, a minimall.Actor, slot, requestID string) (*AdFill, error) {
	const op = "recommend.Ads"
	if !slices.Contains(AdSlots, slot) {
		return nil, minimall.Errorf(minimall.Invalid, op, "Unknown ad slot; slots are home_banner, item_detail, pay_done. 未知的广告位。")
	}
	on, err := s.consented(ctx, a, privacy.FeatPersonalisedAds)
	if err != nil {
		return nil, err
	}
	d := partner.Disclosure{Partner: privacy.PartnerAds, Purpose: privacy.ForAdServing, Operation: "ads/fill",
		Params: map[string]any{"slot": slot}, RequestID: requestID}
	if on {
		adID, err := s.k.Pseudonym(ctx, a.Subject, "ads")
		if err != nil {
			return nil, err
		}
		d.Purpose, d.Subject = privacy.ForPersonalisedAds, a.Subject
		d.Fields = map[privacy.Field]string{privacy.AdID: adID}
	}
	raw, err := s.ads.Send(ctx, d)
	if err != nil {
		return nil, err
	}
	fill := &AdFill{Slot: slot, Personalised: on, Ads: []Ad{}}
	var ans struct{ Ads []Ad }
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, minimall.Errorf(minimall.Unavailable, op, "The ads partner answered badly. 广告合作方应答异常。")
	}
	fill.Ads = append(fill.Ads, ans.Ads...)
	return fill, nil
}
