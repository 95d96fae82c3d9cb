package catalog

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"minimall"
	"minimall/sqldb"
)

const itemColumns = `i.id, i.shop, s.name, i.category, i.title, i.description, i.price_fen, i.stock, i.attributes, i.images, i.status, i.created_at, i.updated_at`

func scanItem(rows interface{ Scan(...any) error }) (*Item, error) {
	var it Item
	var attrs, images string
	var created, updated int64
	if err := rows.Scan(&it.ID, &it.Shop, &it.ShopName, &it.Category, &it.Title, &it.Description, &it.PriceFen, &it.Stock,
		&attrs, &images, &it.Status, &created, &updated); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(attrs), &it.Attributes)
	json.Unmarshal([]byte(images), &it.Images)
	if it.Images == nil {
		it.Images = []string{}
	}
	it.CreatedAt, it.UpdatedAt = sqldb.FromMicros(created), sqldb.FromMicros(updated)
	return &it, nil
}

func notFound(op, what string) error {
	return minimall.Errorf(minimall.NotFound, op, "%s", what)
}

// Item returns an item that is on sale or off the shelf. Returns NotFound
// for an unknown or removed item.
func (s *Service) Item(ctx context.Context, id string) (*Item, error) {
	const op = "catalog.Item"
	if it, ok := lookup[*Item](s.cache, &s.cache.items, id); ok {
		return it, nil
	}
	gen := s.cache.gen.Load()
	row := s.db.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items i JOIN shops s ON s.id = i.shop WHERE i.id = ? AND i.status <> ?`, id, Removed)
	it, err := scanItem(row)
	if err != nil {
		if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.NotFound) {
			return nil, notFound(op, "No such item. 商品不存在。")
		}
		return nil, err
	}
	store(s.cache, &s.cache.items, id, it, gen)
	return it, nil
}

// Items returns the items with the given ids that exist, in any status,
// keyed by id (the search index needs removed ones too, to drop them).
func (s *Service) Items(ctx context.Context, ids []string) (map[string]*Item, error) {
	out := make(map[string]*Item, len(ids))
	err := inChunks(ids, func(marks string, args []any) error {
		q := `SELECT ` + itemColumns + ` FROM items i JOIN shops s ON s.id = i.shop WHERE i.id IN (` + marks + `)`
		return s.queryItems(ctx, q, args, func(it *Item) { out[it.ID] = it })
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CategoryOf returns the category of each of the items that exist, for
// aggregates that need no more of an item than that.
func (s *Service) CategoryOf(ctx context.Context, ids []string) (map[string]string, error) {
	const op = "catalog.CategoryOf"
	out := make(map[string]string, len(ids))
	err := inChunks(ids, func(marks string, args []any) error {
		rows, err := s.db.QueryContext(ctx, `SELECT id, category FROM items WHERE id IN (`+marks+`)`, args...)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, cat string
			if err := rows.Scan(&id, &cat); err != nil {
				return sqldb.FormatError(op, err)
			}
			out[id] = cat
		}
		return sqldb.FormatError(op, rows.Err())
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// idsPerQuery bounds the ids of one IN list (SQLite's default limit on
// parameters is far above it; a query stays small).
const idsPerQuery = 500

// inChunks calls fn for ids in chunks of at most idsPerQuery, with the
// chunk's placeholders ("?, ?, …") and the chunk as arguments; fn may
// append arguments of its own after them.
func inChunks(ids []string, fn func(marks string, args []any) error) error {
	for len(ids) > 0 {
		n := min(len(ids), idsPerQuery)
		args := make([]any, n, n+1)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		if err := fn(strings.TrimSuffix(strings.Repeat("?, ", n), ", "), args); err != nil {
			return err
		}
	}
	return nil
}

// CachedItems is Items through the cache, for pages people read (search
// results). Derived stores must use Items: a cached item may be up to
// CacheTTL old, and an index must never keep an old copy.
func (s *Service) CachedItems(ctx context.Context, ids []string) (map[string]*Item, error) {
	out := make(map[string]*Item, len(ids))
	var missing []string
	for _, id := range ids {
		if it, ok := lookup[*Item](s.cache, &s.cache.items, id); ok {
			out[id] = it
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	gen := s.cache.gen.Load()
	got, err := s.Items(ctx, missing)
	if err != nil {
		return nil, err
	}
	for id, it := range got {
		out[id] = it
		if it.Status != Removed { // Item never shows removed ones
			store(s.cache, &s.cache.items, id, it, gen)
		}
	}
	return out, nil
}

func (s *Service) queryItems(ctx context.Context, q string, args []any, each func(*Item)) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return sqldb.FormatError("catalog.items", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return sqldb.FormatError("catalog.items", err)
		}
		each(it)
	}
	return rows.Err()
}

// ScanItems returns up to limit items of any status with id > after, in
// id order: the search index's rebuild reads the catalogue this way.
func (s *Service) ScanItems(ctx context.Context, after string, limit int) ([]*Item, error) {
	var out []*Item
	err := s.queryItems(ctx, `SELECT `+itemColumns+` FROM items i JOIN shops s ON s.id = i.shop WHERE i.id > ? ORDER BY i.id LIMIT ?`,
		[]any{after, limit}, func(it *Item) { out = append(out, it) })
	return out, err
}

// pageOf runs a page query (newest first) that selects one row more than
// a page, to know whether there is a next page.
func (s *Service) pageOf(ctx context.Context, where string, args []any, page int) (*Page, error) {
	if page < 1 || page > 500 {
		return nil, invalid("catalog.page", "page is from 1 to 500. 页码须为1至500。")
	}
	args = append(args, OnSale, PageSize+1, (page-1)*PageSize)
	p := &Page{Items: []*Item{}, Page: page}
	err := s.queryItems(ctx, `SELECT `+itemColumns+` FROM items i JOIN shops s ON s.id = i.shop WHERE `+where+
		` AND i.status = ? ORDER BY i.created_at DESC, i.id DESC LIMIT ? OFFSET ?`, args, func(it *Item) { p.Items = append(p.Items, it) })
	if err != nil {
		return nil, err
	}
	if len(p.Items) > PageSize {
		p.Items, p.NextPage = p.Items[:PageSize], page+1
	}
	return p, nil
}

// CategoryPage lists a page of the items on sale in a category and its
// subcategories, newest first. Returns NotFound for an unknown category.
func (s *Service) CategoryPage(ctx context.Context, category string, page int) (*Page, error) {
	const op = "catalog.CategoryPage"
	key := category + "\x00" + strconv.Itoa(page)
	if p, ok := lookup[*Page](s.cache, &s.cache.pages, key); ok {
		return p, nil
	}
	gen := s.cache.gen.Load()
	p, err := s.categoryPage(ctx, op, category, page)
	if err == nil {
		store(s.cache, &s.cache.pages, key, p, gen)
	}
	return p, err
}

func (s *Service) categoryPage(ctx context.Context, op, category string, page int) (*Page, error) {
	ids, err := s.categoryAndChildren(ctx, category)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, notFound(op, "No such category. 类目不存在。")
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.pageOf(ctx, `i.category IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args, page)
}

func (s *Service) categoryAndChildren(ctx context.Context, id string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM categories WHERE id = ? OR parent = ?`, id, id)
	if err != nil {
		return nil, sqldb.FormatError("catalog.categoryAndChildren", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		ids = append(ids, c)
	}
	return ids, rows.Err()
}

// CategoryAndChildren returns a category's id with its subcategories'
// (empty for an unknown category).
func (s *Service) CategoryAndChildren(ctx context.Context, id string) ([]string, error) {
	return s.categoryAndChildren(ctx, id)
}

// Shop returns a shop. Returns NotFound for an unknown one.
func (s *Service) Shop(ctx context.Context, id string) (*Shop, error) {
	const op = "catalog.Shop"
	var sh Shop
	var owner string
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, owner, name, description, status, created_at FROM shops WHERE id = ?`, id).
		Scan(&sh.ID, &owner, &sh.Name, &sh.Description, &sh.Status, &created)
	if err != nil {
		if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.NotFound) {
			return nil, notFound(op, "No such shop. 店铺不存在。")
		}
		return nil, err
	}
	sh.Owner, sh.CreatedAt = minimall.SubjectID(owner), sqldb.FromMicros(created)
	return &sh, nil
}

// ShopPage lists a page of a shop's items on sale, newest first. Returns
// NotFound for an unknown shop.
func (s *Service) ShopPage(ctx context.Context, shop string, page int) (*Shop, *Page, error) {
	sh, err := s.Shop(ctx, shop)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.pageOf(ctx, `i.shop = ?`, []any{shop}, page)
	return sh, p, err
}

// Categories returns the category tree, through the cache (CacheTTL): it
// is the same for everyone and shared, so callers must not change it.
func (s *Service) Categories(ctx context.Context) ([]*Category, error) {
	if tree, ok := lookup[[]*Category](s.cache, &s.cache.tree, ""); ok {
		return tree, nil
	}
	gen := s.cache.gen.Load()
	tree, err := s.categories(ctx)
	if err == nil {
		store(s.cache, &s.cache.tree, "", tree, gen)
	}
	return tree, err
}

func (s *Service) categories(ctx context.Context) ([]*Category, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, parent, name, position FROM categories ORDER BY parent, position, id`)
	if err != nil {
		return nil, sqldb.FormatError("catalog.Categories", err)
	}
	defer rows.Close()
	var all []*Category
	byID := map[string]*Category{}
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Parent, &c.Name, &c.Position); err != nil {
			return nil, err
		}
		all = append(all, &c)
		byID[c.ID] = &c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	roots := []*Category{}
	for _, c := range all {
		if p, ok := byID[c.Parent]; ok {
			p.Children = append(p.Children, c)
		} else if c.Parent == "" {
			roots = append(roots, c)
		}
	}
	return roots, nil
}

// Channel returns a channel with its items in order. Returns NotFound for
// an unknown channel.
func (s *Service) Channel(ctx context.Context, id string) (*Channel, []*Item, error) {
	const op = "catalog.Channel"
	var c Channel
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, description, created_at FROM channels WHERE id = ?`, id).Scan(&c.ID, &c.Name, &c.Description, &created)
	if err != nil {
		if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.NotFound) {
			return nil, nil, notFound(op, "No such channel. 频道不存在。")
		}
		return nil, nil, err
	}
	c.CreatedAt = sqldb.FromMicros(created)
	items := []*Item{}
	err = s.queryItems(ctx, `SELECT `+itemColumns+` FROM channel_items ci JOIN items i ON i.id = ci.item JOIN shops s ON s.id = i.shop
		WHERE ci.channel = ? AND i.status = ? ORDER BY ci.position`, []any{id, OnSale}, func(it *Item) { items = append(items, it) })
	return &c, items, err
}

// Channels lists the channels.
func (s *Service) Channels(ctx context.Context) ([]*Channel, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, description, created_at FROM channels ORDER BY created_at, id`)
	if err != nil {
		return nil, sqldb.FormatError("catalog.Channels", err)
	}
	defer rows.Close()
	out := []*Channel{}
	for rows.Next() {
		var c Channel
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Description, &created); err != nil {
			return nil, err
		}
		c.CreatedAt = sqldb.FromMicros(created)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// MyShops returns the shops the signed-in person owns, oldest first.
// Returns Unauthorized for anyone but a signed-in person.
func (s *Service) MyShops(ctx context.Context, a minimall.Actor) ([]*Shop, error) {
	const op = "catalog.MyShops"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, description, status, created_at FROM shops WHERE owner = ? ORDER BY created_at, id`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []*Shop
	for rows.Next() {
		sh := &Shop{Owner: a.Subject}
		var created int64
		if err := rows.Scan(&sh.ID, &sh.Name, &sh.Description, &sh.Status, &created); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		sh.CreatedAt = sqldb.FromMicros(created)
		out = append(out, sh)
	}
	return out, sqldb.FormatError(op, rows.Err())
}
