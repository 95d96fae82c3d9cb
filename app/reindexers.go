package app

import (
	"minimall/account"
	"minimall/cart"
	"minimall/order"
	"minimall/privacy"
	"minimall/search"
	"minimall/security"
	"minimall/sqldb"
)

// Reindexers lists every area's part of a lookup-key rotation: each
// rewrites the blind indexes it stores (privacy.Kernel.RotateLookup).
func Reindexers(db *sqldb.DB, k *privacy.Kernel) []privacy.Reindexer {
	return []privacy.Reindexer{
		account.Reindexer{DB: db, Kernel: k}, search.Reindexer{DB: db, Kernel: k},
		cart.Reindexer{DB: db, Kernel: k}, security.Reindexer{DB: db, Kernel: k}, order.Reindexer{DB: db, Kernel: k},
	}
}
