package catalog

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"minimall"
	"minimall/outbox"
	"minimall/sqldb"
)

// Service keeps the catalogue.
type Service struct {
	db    *sqldb.DB
	cache *cache
}

// NewService returns the catalogue service.
func NewService(db *sqldb.DB) *Service { return &Service{db: db, cache: &cache{}} }

// write runs a catalogue write (sqldb.DB.Write), which clears the cache
// once it commits.
func (s *Service) write(ctx context.Context, fn func(context.Context, *sqldb.Tx) error) error {
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		tx.AfterCommit(s.cache.clear)
		return fn(ctx, tx)
	})
}

// Stock returns the stock keeper of this catalogue, which clears the
// service's cached items when orders take or return stock.
func (s *Service) Stock() *Stock { return &Stock{db: s.db, cache: s.cache} }

var validID = regexp.MustCompile(`^[a-z0-9_]{2,40}$`)

// isCatalogOperator: ops staff run the catalogue; they open no personal
// information, and catalogue data holds none.
func isCatalogOperator(a minimall.Actor) bool {
	return a.Kind == minimall.Operator && a.Role == minimall.RoleOps
}

func requireCatalogOperator(a minimall.Actor, op string) error {
	switch {
	case a.Kind == minimall.Anonymous:
		return minimall.SignedIn(a, op)
	case a.Kind == minimall.System || isCatalogOperator(a):
		return nil
	}
	return minimall.Errorf(minimall.Denied, op, "Only catalogue operators may do this. 仅平台运营人员可操作。")
}

// CreateCategory adds a category under parent ("" for top level). Returns
// Invalid for a bad id or name, NotFound for an unknown parent, Conflict
// for an id in use, Denied for anyone but ops operators.
func (s *Service) CreateCategory(ctx context.Context, a minimall.Actor, c Category) (*Category, error) {
	const op = "catalog.CreateCategory"
	if err := requireCatalogOperator(a, op); err != nil {
		return nil, err
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.ID == "" {
		c.ID = "c_" + minimall.RandomToken(6)
	}
	if !validID.MatchString(c.ID) || !validText(c.Name, 1, 20) {
		return nil, invalid(op, "A category id is 2-40 of a-z 0-9 _, its name 1 to 20 characters. 类目编号须为2至40个小写字母、数字或下划线，名称1至20个字符。")
	}
	var out *Category
	err := s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		if c.Parent != "" {
			var grand string
			if err := tx.QueryRowContext(ctx, `SELECT parent FROM categories WHERE id = ?`, c.Parent).Scan(&grand); err != nil {
				return sqldb.FormatError(op, err)
			}
			if grand != "" {
				return invalid(op, "Categories have two levels. 类目最多两级。")
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO categories (id, parent, name, position, created_at) VALUES (?, ?, ?, ?, ?)`,
			c.ID, c.Parent, c.Name, c.Position, sqldb.Micros(tx.Now()))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		out = &c
		return nil
	})
	return out, err
}

// CreateShop opens a shop owned by the signed-in seller. Returns
// Unauthorized for a visitor, Invalid for a bad name.
func (s *Service) CreateShop(ctx context.Context, a minimall.Actor, name, description string) (*Shop, error) {
	const op = "catalog.CreateShop"
	if a.Kind != minimall.Shopper && a.Kind != minimall.System {
		if a.Kind == minimall.Anonymous {
			return nil, minimall.SignedIn(a, op)
		}
		return nil, minimall.Errorf(minimall.Denied, op, "Only a signed-in seller opens a shop. 仅登录的卖家可开店。")
	}
	sh := &Shop{ID: "sh_" + minimall.RandomToken(6), Name: strings.TrimSpace(name), Description: description, Status: "open", Owner: a.Subject}
	if !validText(sh.Name, 1, 30) || !validText(description, 0, 500) {
		return nil, invalid(op, "A shop name has 1 to 30 characters, its description at most 500. 店铺名须为1至30个字符，简介最多500个字符。")
	}
	var out *Shop
	err := s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		sh.CreatedAt = tx.Now()
		if err := insertShop(ctx, tx, sh); err != nil {
			return err
		}
		out = sh
		return nil
	})
	return out, err
}

func insertShop(ctx context.Context, tx *sqldb.Tx, sh *Shop) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO shops (id, owner, name, description, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		sh.ID, string(sh.Owner), sh.Name, sh.Description, sh.Status, sqldb.Micros(sh.CreatedAt))
	return sqldb.FormatError("catalog.insertShop", err)
}

// mayEdit says whether a writes the items of shop sh: its owner, or an
// ops operator (taking an item down, say).
func mayEdit(a minimall.Actor, sh *Shop) error {
	const op = "catalog.mayEdit"
	switch {
	case a.Kind == minimall.Anonymous:
		return minimall.SignedIn(a, op)
	case a.Kind == minimall.System, isCatalogOperator(a):
		return nil
	case a.Kind == minimall.Shopper && sh.Owner != "" && a.Subject == sh.Owner:
		return nil
	}
	return minimall.Errorf(minimall.Denied, op, "Only the shop's seller may change its items. 仅店铺卖家可修改商品。")
}

// CreateItem adds an item to shop. Returns NotFound for an unknown shop or
// category, Denied for anyone but the shop's seller or an ops operator,
// Invalid for bad item data.
func (s *Service) CreateItem(ctx context.Context, a minimall.Actor, shop string, n NewItem) (*Item, error) {
	const op = "catalog.CreateItem"
	sh, err := s.Shop(ctx, shop)
	if err != nil {
		return nil, err
	}
	if err := mayEdit(a, sh); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var out *Item
	err = s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := s.checkCategory(ctx, tx, n.Category); err != nil {
			return err
		}
		it := newItem(shop, &n, tx)
		if err := insertItem(ctx, tx, it); err != nil {
			return err
		}
		if err := outbox.Emit(ctx, tx, TopicItemsChanged, "", ItemsChanged{Items: []string{it.ID}}); err != nil {
			return err
		}
		it.ShopName = sh.Name
		out = it
		return nil
	})
	return out, err
}

func newItem(shop string, n *NewItem, tx *sqldb.Tx) *Item {
	it := &Item{ID: "it_" + minimall.RandomToken(8), Shop: shop, Category: n.Category, Title: n.Title, Description: n.Description,
		PriceFen: n.PriceFen, Stock: n.Stock, Attributes: n.Attributes, Images: n.Images, Status: n.Status,
		CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
	if it.Images == nil {
		it.Images = []string{}
	}
	return it
}

func (s *Service) checkCategory(ctx context.Context, tx *sqldb.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM categories WHERE id = ?`, id).Scan(&one)
	if err != nil {
		if err = sqldb.FormatError("catalog.checkCategory", err); minimall.IsCode(err, minimall.NotFound) {
			return minimall.Errorf(minimall.NotFound, "catalog.checkCategory", "No such category. 类目不存在。")
		}
	}
	return err
}

func insertItem(ctx context.Context, tx *sqldb.Tx, it *Item) error {
	attrs, _ := json.Marshal(nonNilMap(it.Attributes))
	images, _ := json.Marshal(it.Images)
	_, err := tx.ExecContext(ctx, `INSERT INTO items (id, shop, category, title, description, price_fen, stock, attributes, images, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.ID, it.Shop, it.Category, it.Title, it.Description, it.PriceFen, it.Stock, string(attrs), string(images), it.Status,
		sqldb.Micros(it.CreatedAt), sqldb.Micros(it.UpdatedAt))
	return sqldb.FormatError("catalog.insertItem", err)
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// UpdateItem changes an item. Returns NotFound for an unknown or removed
// item, Denied for anyone but its seller or an ops operator, Invalid for bad
// data.
func (s *Service) UpdateItem(ctx context.Context, a minimall.Actor, id string, u ItemUpdate) (*Item, error) {
	const op = "catalog.UpdateItem"
	it, err := s.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	sh, err := s.Shop(ctx, it.Shop)
	if err != nil {
		return nil, err
	}
	if err := mayEdit(a, sh); err != nil {
		return nil, err
	}
	n, err := u.apply(it)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		if err := s.checkCategory(ctx, tx, n.Category); err != nil {
			return err
		}
		attrs, _ := json.Marshal(nonNilMap(n.Attributes))
		images, _ := json.Marshal(nonNilSlice(n.Images))
		_, err = tx.ExecContext(ctx, `UPDATE items SET category = ?, title = ?, description = ?, price_fen = ?, stock = ?, attributes = ?, images = ?, status = ?, updated_at = ?
			WHERE id = ? AND status <> ?`, n.Category, n.Title, n.Description, n.PriceFen, n.Stock, string(attrs), string(images), n.Status, sqldb.Micros(tx.Now()), id, Removed)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		return outbox.Emit(ctx, tx, TopicItemsChanged, "", ItemsChanged{Items: []string{id}})
	})
	if err != nil {
		return nil, err
	}
	return s.Item(ctx, id)
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DeleteItem removes an item from sale for good; the row stays for orders
// that name it. Returns NotFound for an unknown item, Denied as UpdateItem.
func (s *Service) DeleteItem(ctx context.Context, a minimall.Actor, id string) error {
	const op = "catalog.DeleteItem"
	it, err := s.Item(ctx, id)
	if err != nil {
		return err
	}
	sh, err := s.Shop(ctx, it.Shop)
	if err != nil {
		return err
	}
	if err := mayEdit(a, sh); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE items SET status = ?, updated_at = ? WHERE id = ?`, Removed, sqldb.Micros(tx.Now()), id); err != nil {
			return sqldb.FormatError(op, err)
		}
		return outbox.Emit(ctx, tx, TopicItemsChanged, "", ItemsChanged{Items: []string{id}})
	})
}

// CreateChannel adds a channel listing items in order. Returns Denied for
// anyone but ops operators, Invalid for a bad name, NotFound for an
// unknown item.
func (s *Service) CreateChannel(ctx context.Context, a minimall.Actor, c Channel) (*Channel, error) {
	const op = "catalog.CreateChannel"
	if err := requireCatalogOperator(a, op); err != nil {
		return nil, err
	}
	c.Name = strings.TrimSpace(c.Name)
	if !validText(c.Name, 1, 20) || !validText(c.Description, 0, 500) || len(c.Items) > 200 {
		return nil, invalid(op, "A channel name has 1 to 20 characters, its description at most 500, and it lists at most 200 items. 频道名须为1至20个字符，简介最多500个字符，最多200件商品。")
	}
	if c.ID == "" {
		c.ID = "ch_" + minimall.RandomToken(6)
	}
	if !validID.MatchString(c.ID) {
		return nil, invalid(op, "A channel id is 2-40 of a-z 0-9 _. 频道编号须为2至40个小写字母、数字或下划线。")
	}
	var out *Channel
	err := s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		c.CreatedAt = tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO channels (id, name, description, created_at) VALUES (?, ?, ?, ?)`, c.ID, c.Name, c.Description, sqldb.Micros(c.CreatedAt)); err != nil {
			return sqldb.FormatError(op, err)
		}
		seen := map[string]bool{}
		for i, item := range c.Items {
			if seen[item] {
				continue
			}
			seen[item] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO channel_items (channel, item, position) VALUES (?, ?, ?)`, c.ID, item, i); err != nil {
				if strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503") {
					return minimall.Errorf(minimall.NotFound, op, "No such item. 商品不存在。")
				}
				return sqldb.FormatError(op, err)
			}
		}
		out = &c
		return nil
	})
	return out, err
}
