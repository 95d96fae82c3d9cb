package recommend

import (
	"context"
	"fmt"
	"minimall/catalog"
	"slices"

	"minimall"
	"minimall/privacy"
)

// Tag is an interest the recommender inferred about a person (二(二)4
// 偏好特征), in plain words: a category their views, carts and orders
// leaned to. They may delete it.
type Tag struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	// Strength: "strong" for the interests that lead their list, "some"
	// for the others.
	Strength string `json:"strength"`
}

// Tags are a person's inferred interests, strongest first, and those they
// deleted, which are never learnt again.
type Tags struct {
	Tags    []Tag `json:"tags"`
	Deleted []Tag `json:"deleted"`
}

// maxTags is how many interests a person is shown: every one that can
// shape their list (topCats) and a few more.
const maxTags = 10

// Tags returns the person's inferred interests. Returns Unauthorized for a
// visitor; empty lists when personalisation is off (nothing is read).
func (s *Service) Tags(ctx context.Context, a minimall.Actor) (*Tags, error) {
	p, _, err := s.ownProfile(ctx, a, "recommend.Tags")
	if err != nil || p == nil {
		return &Tags{Tags: []Tag{}, Deleted: []Tag{}}, err
	}
	return s.tags(ctx, p)
}

// DeleteTag deletes the interest in category: it no longer shapes the
// person's list or any explanation, and later behaviour in that category
// does not bring it back. Returns Unauthorized for a visitor, Conflict
// when personalisation is off, NotFound for a category that is not one of
// their interests.
func (s *Service) DeleteTag(ctx context.Context, a minimall.Actor, category string) (*Tags, error) {
	const op = "recommend.DeleteTag"
	p, pseud, err := s.ownProfile(ctx, a, op)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, minimall.Errorf(minimall.Conflict, op, "Personalised recommendation is off: no interests are kept. 个性化推荐已关闭，未保存偏好。")
	}
	if _, ok := p.Cats[category]; !ok {
		return nil, minimall.Errorf(minimall.NotFound, op, "No such interest. 没有这个偏好标签。")
	}
	delete(p.Cats, category)
	if !slices.Contains(p.Dropped, category) {
		p.Dropped = append(p.Dropped, category)
	}
	if err := s.save(ctx, a.Subject, pseud, privacy.PreferenceFeatures, p); err != nil {
		return nil, err
	}
	return s.tags(ctx, p)
}

// ownProfile opens the signed-in person's profile; nil when
// personalisation is off.
func (s *Service) ownProfile(ctx context.Context, a minimall.Actor, op string) (*profile, string, error) {
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, "", err
	}
	if on, err := s.consented(ctx, a, privacy.FeatRecommendation); err != nil || !on {
		return nil, "", err
	}
	pseud, err := s.pseudonym(ctx, a.Subject)
	if err != nil {
		return nil, "", err
	}
	pref, _, err := s.row(ctx, pseud)
	if err != nil {
		return nil, "", err
	}
	p, err := s.openProfile(ctx, a.Subject, pseud, pref)
	return p, pseud, err
}

func (s *Service) tags(ctx context.Context, p *profile) (*Tags, error) {
	names, err := s.categoryNames(ctx)
	if err != nil {
		return nil, err
	}
	out := &Tags{Tags: []Tag{}, Deleted: []Tag{}}
	cats, _ := strongest(p.Cats, maxTags)
	for i, c := range cats {
		strength := "some"
		if i < topCats {
			strength = "strong"
		}
		out.Tags = append(out.Tags, Tag{Category: c, Name: names[c], Strength: strength})
	}
	for _, c := range p.Dropped {
		out.Deleted = append(out.Deleted, Tag{Category: c, Name: names[c]})
	}
	return out, nil
}

// categoryNames maps category ids to their names.
func (s *Service) categoryNames(ctx context.Context) (map[string]string, error) {
	all, err := s.catalog.Categories(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	var walk func([]*catalog.Category)
	walk = func(cs []*catalog.Category) {
		for _, c := range cs {
			names[c.ID] = c.Name
			walk(c.Children)
		}
	}
	walk(all)
	return names, nil
}

// because is the explanation of an item recommended for an interest.
func because(name string) string {
	return fmt.Sprintf("因为您对「%s」感兴趣 / because you showed interest in %s", name, name)
}
