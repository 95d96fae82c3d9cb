package search

import (
	"context"
	"strings"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// queryIndex is the keyed hash that finds a person's row of a query.
func queryIndex(k *privacy.Kernel, subject minimall.SubjectID, q string) []byte {
	return k.BlindIndex(privacy.SearchQuery, []byte(string(subject)+"\x00"+strings.ToLower(q)))
}

// Reindexer writes search_history.query_index anew when the search-query
// lookup key is rotated (privacy.Kernel.RotateLookup).
type Reindexer struct {
	DB     *sqldb.DB
	Kernel *privacy.Kernel
}

func (Reindexer) Lookups() []privacy.Field { return []privacy.Field{privacy.SearchQuery} }

func (r Reindexer) Reindex(ctx context.Context, _ privacy.Field) (int, error) {
	return r.Kernel.Reindex(ctx, r.DB, privacy.ReindexSpec{
		Table: privacy.TableOf("search_history"), Field: privacy.SearchQuery, Purpose: privacy.ForSearch, Column: "query_index",
		Index: func(s minimall.SubjectID, q []byte) ([]byte, error) { return queryIndex(r.Kernel, s, string(q)), nil },
	})
}
