// Package search is Chinese full-text search over the catalogue (policy
// 二(二)2, 4): a Bleve index with CJK bigrams kept in its own folder outside
// the database, fed by the change feed and rebuildable from the catalogue;
// filters, sort orders and pages; the person's search history, stored only
// sealed as the field registry says and listable and clearable by them; and
// the non-personalised ranking switch (去个性化排序). Visitors search too.
// Prices come from the catalogue and never depend on the person.
package search

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"minimall"
	"minimall/catalog"
)

// Sort orders.
const (
	ByRelevance = "relevance"
	ByPriceAsc  = "price_asc"
	ByPriceDesc = "price_desc"
	ByNewest    = "newest"
)

// MaxPage bounds how deep a search pages.
const MaxPage = 50

// Request is one search.
type Request struct {
	Query       string
	Category    string // a category or its parent
	Shop        string
	MinPriceFen int64 // 0: no lower bound
	MaxPriceFen int64 // 0: no upper bound
	Sort        string
	Page        int
}

// Result is one page of results.
type Result struct {
	Query    string          `json:"query"`
	Sort     string          `json:"sort"`
	Total    uint64          `json:"total"`
	Page     int             `json:"page"`
	NextPage int             `json:"next_page"`
	Items    []*catalog.Item `json:"items"`
	// Personalised says whether the person's own search history shaped the
	// order (never for visitors, never with the switch on).
	Personalised bool `json:"personalised"`
}

func (r *Request) validate() error {
	const op = "search.Search"
	r.Query = strings.TrimSpace(r.Query)
	if r.Sort == "" {
		r.Sort = ByRelevance
	}
	if r.Page == 0 {
		r.Page = 1
	}
	switch {
	case !utf8.ValidString(r.Query) || utf8.RuneCountInString(r.Query) > 50:
		return minimall.Errorf(minimall.Invalid, op, "A query has at most 50 characters. 搜索词最多50个字符。")
	case r.Query == "" && r.Category == "" && r.Shop == "":
		return minimall.Errorf(minimall.Invalid, op, "Give a query, a category or a shop. 请输入搜索词或选择类目、店铺。")
	case r.Sort != ByRelevance && r.Sort != ByPriceAsc && r.Sort != ByPriceDesc && r.Sort != ByNewest:
		return minimall.Errorf(minimall.Invalid, op, "sort is relevance, price_asc, price_desc or newest. 排序方式须为 relevance、price_asc、price_desc 或 newest。")
	case r.Page < 1 || r.Page > MaxPage:
		return minimall.Errorf(minimall.Invalid, op, "page is from 1 to 50. 页码须为1至50。")
	case r.MinPriceFen < 0 || r.MaxPriceFen < 0 || (r.MaxPriceFen > 0 && r.MinPriceFen > r.MaxPriceFen):
		return minimall.Errorf(minimall.Invalid, op, "A price range is two whole numbers of fen, the lower first. 价格区间须为两个非负整数（分），下限在前。")
	}
	return nil
}

// compile turns a request into an index query. boost lists categories to
// rank a little higher (personalised ranking); it changes the order, never
// what matches. relaxed asks for any one term instead of two thirds.
func (ix *Index) compile(r *Request, boost []string, relaxed bool) compiled {
	c := compiled{size: catalog.PageSize, from: (r.Page - 1) * catalog.PageSize}
	bq := bleve.NewBooleanQuery()
	if r.Query != "" {
		terms := ix.terms(r.Query)
		if len(terms) == 0 {
			c.empty = true
			return c
		}
		c.terms = len(terms)
		bq.AddMust(textQuery(terms, relaxed))
	} else {
		bq.AddMust(bleve.NewMatchAllQuery())
	}
	var filters []query.Query
	if r.Category != "" {
		filters = append(filters, term("categories", r.Category))
	}
	if r.Shop != "" {
		filters = append(filters, term("shop", r.Shop))
	}
	if r.MinPriceFen > 0 || r.MaxPriceFen > 0 {
		lo, hi := float64(r.MinPriceFen), math.Inf(1)
		if r.MaxPriceFen > 0 {
			hi = float64(r.MaxPriceFen)
		}
		yes := true
		nq := bleve.NewNumericRangeInclusiveQuery(&lo, &hi, &yes, &yes)
		nq.SetField("price")
		filters = append(filters, nq)
	}
	if len(filters) > 0 {
		bq.AddFilter(bleve.NewConjunctionQuery(filters...))
	}
	for i, cat := range boost {
		t := term("categories", cat)
		t.SetBoost(1.0 / float64(i+1)) // the most recent search weighs most
		bq.AddShould(t)
	}
	c.q = bq
	switch r.Sort {
	case ByPriceAsc:
		c.sort = []string{"price", "-_score", "_id"}
	case ByPriceDesc:
		c.sort = []string{"-price", "-_score", "_id"}
	case ByNewest:
		c.sort = []string{"-created", "_id"}
	default:
		// Score alone: a tie-break key would make the collector read doc
		// values of every match (3x slower). Ties keep index order, the
		// same for everyone.
		c.sort = []string{"-_score"}
	}
	return c
}

func term(field, value string) *query.TermQuery {
	t := bleve.NewTermQuery(value)
	t.SetField(field)
	return t
}
