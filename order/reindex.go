package order

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Reindexer is the order area's part of a lookup-key rotation
// (privacy.Kernel.RotateLookup).
//
// The items-ordered key makes a checkout's request hash. The request is
// not kept, so there is nothing to make anew: a retry of a checkout from
// before the rotation no longer matches its hash and is refused as a
// different order (409), never ordered twice.
//
// The recipient-phone key makes orders.recipient_phone_index, which finds
// the orders naming a recipient who asks about them (四): it is written
// anew from each order's sealed recipient phone.
type Reindexer struct {
	DB     *sqldb.DB
	Kernel *privacy.Kernel
}

func (Reindexer) Lookups() []privacy.Field {
	return []privacy.Field{privacy.OrderItems, privacy.RecipientPhone}
}

func (r Reindexer) Reindex(ctx context.Context, f privacy.Field) (int, error) {
	if f != privacy.RecipientPhone {
		return 0, nil
	}
	return r.Kernel.Reindex(ctx, r.DB, privacy.ReindexSpec{
		Table: privacy.TableOf("orders"), Field: privacy.RecipientPhone, Purpose: privacy.ForRightsRequest, Column: "recipient_phone_index",
		Index: func(_ minimall.SubjectID, phone []byte) ([]byte, error) {
			return r.Kernel.BlindIndex(privacy.RecipientPhone, phone), nil
		},
	})
}
