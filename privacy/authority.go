package privacy

import (
	"context"

	"minimall"
	"minimall/sqldb"
)

// PartnerAuthority is a court, the police or a regulator asking for
// information under the law (三(五)2, PIPL art. 13(3)).
const PartnerAuthority PartnerID = "authority"

// authorityFields are what an authority may ever receive, for the legal
// duty only: the transaction records minimall keeps because the law says
// so (E-commerce Law art. 31) and the real-name check's result (PIPL
// art. 13(3)); not the fields the registry keeps private (payment time
// and channel, tracking). A request naming any other field is refused; nothing
// reaches an authority through this list that a field's own uses do not
// already allow for the legal duty.
var authorityFields = []Field{
	RealName, IDNumber,
	RecipientName, RecipientAddress, RecipientPhone,
	OrderNumber, OrderItems, OrderTime, OrderAmount, PaymentAmount,
}

func init() {
	partners = append(partners, PartnerSpec{PartnerAuthority, "依法提出要求的有权机关（法院、公安、监管机关；minimall 有权机关沙箱）",
		"an authority acting under the law: court, police, regulator (minimall authority sandbox)", Independent, "sandbox-authority@minimall.example", false})
	partnerIndex[PartnerAuthority] = &partners[len(partners)-1]
	for i := range partners {
		partnerIndex[partners[i].ID] = &partners[i] // the append may have moved them
	}
	for i := range registry {
		if containsField(authorityFields, registry[i].Field) {
			registry[i].Recipients = append(registry[i].Recipients, Recipient{PartnerAuthority, ForLegalDuty})
		}
	}
	// Authority requests (0037, partner/authority.go): ids, codes, times,
	// the authority's name and document number and the law it relies on;
	// field ids, never values.
	for _, c := range []string{"id", "subject", "order_id", "operator", "reference", "lifted_by"} {
		columns["authority_requests."+c] = Pseudonymous
	}
	for _, c := range []string{"authority_kind", "authority", "authority_ref", "legal_basis", "fields", "withheld", "disclosed_at", "notified_at", "lifted_at"} {
		columns["authority_requests."+c] = NotPersonal
	}
}

// AuthorityMayReceive reports whether f may be disclosed to an authority.
func AuthorityMayReceive(f Field) bool {
	s, ok := specs[f]
	return ok && s.MayReceive(PartnerAuthority, ForLegalDuty)
}

// InOrderRecord reports whether f is kept in an order's record (the
// order, its invoice, payment or shipment): asked of an authority's
// request, it needs the order named.
func InOrderRecord(f Field) bool {
	s, ok := specs[f]
	if !ok {
		return false
	}
	_, in := orderColumn[s.Table]
	return in
}

// orderColumn names, in each table of an order's record, the column
// holding the order's id: how an authority's request for one order finds
// its rows.
var orderColumn = map[string]string{"orders": "id", "invoices": "order_id", "payments": "order_id", "shipments": "order_id"}

// OpenForAuthority opens the named fields of s for the legal duty on
// behalf of a (the platform acting on an operator's recorded request,
// a.Reason naming it), from the tables the registry names; orderID
// narrows an order's fields to that order's rows. A field s has no value
// of is left out. Returns Invalid naming order_id when an order's field
// is asked without one, and the guard's *Denied.
func (g *Guard) OpenForAuthority(ctx context.Context, db *sqldb.DB, a minimall.Actor, s minimall.SubjectID, orderID string, fields []Field) (map[Field]string, error) {
	const op = "privacy.OpenForAuthority"
	out := map[Field]string{}
	for _, f := range fields {
		spec, ok := specs[f]
		if !ok || spec.Table == "" {
			return nil, minimall.InvalidField(op, "fields", minimall.RuleChoice, "%s is not a stored field. 该字段未存储。", f)
		}
		t := TableOf(spec.Table)
		q, args := `SELECT `+t.Row+`, `+spec.Column+` FROM `+t.Name+` WHERE `+t.Subject+` = ?`, []any{string(s)}
		if col, ok := orderColumn[t.Name]; ok {
			if orderID == "" {
				return nil, minimall.InvalidField(op, "order_id", minimall.RuleRequired, "%s is an order's: name the order. 订单字段须指定订单。", f)
			}
			q, args = q+` AND `+col+` = ?`, append(args, orderID)
		}
		row, sealed, err := oneValue(ctx, db, q, args...)
		if err != nil || sealed == nil {
			if err != nil {
				return nil, sqldb.FormatError(op, err)
			}
			continue
		}
		plain, err := g.Open(ctx, a, s, f, ForLegalDuty, row, sealed)
		if err != nil {
			return nil, err
		}
		out[f] = string(plain)
	}
	return out, nil
}

// oneValue reads the first row of q: its row id and sealed value, nil if
// there is none.
func oneValue(ctx context.Context, db *sqldb.DB, q string, args ...any) (string, []byte, error) {
	rows, err := db.QueryContext(ctx, q+` LIMIT 1`, args...)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return "", nil, rows.Err()
	}
	var row string
	var sealed []byte
	err = rows.Scan(&row, &sealed)
	return row, sealed, err
}
