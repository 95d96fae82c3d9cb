package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/order"
)

// OrderOptions say how many orders to place and for whom.
type OrderOptions struct {
	Orders int
	Seed   uint64
	// Shoppers place the orders, spread evenly; Phones, if as long, are
	// their own phone numbers, which most of them ship to.
	Shoppers []minimall.SubjectID
	Phones   []string
	// Workers place orders at once (default 16): each waits on the
	// store's writer, the audit log and the payment partner in turn.
	Workers int
	// Progress, if set, is told how many orders are done so far.
	Progress func(done, total int)
}

// OrderReport says what was placed: orders by the status they ended in.
type OrderReport struct {
	Orders   int
	ByStatus map[order.Status]int
}

// The share of orders left in each state, out of 100. Paying needs the
// payment partner (the gateway sends it the order number and amount);
// shipping would need the shop's owner, and seeded shops are the
// platform's, so no seeded order ships.
const (
	sharePending   = 12 // awaiting payment
	shareCancelled = 8  // cancelled before paying: the stock goes back
)

// Orders places o.Orders orders through the order service's real path —
// Place as the shopper, with a Chinese recipient sealed as every order is;
// then Cancel, or Pay at the payment partner and record its notice
// (PaymentNotified, as the verified callback does). Items are picked from
// those on sale with stock, one to three of the same shop, so each request
// makes one order. The catalogue must have been seeded.
func Orders(ctx context.Context, svc *order.Service, cat *catalog.Service, o OrderOptions) (*OrderReport, error) {
	if o.Orders <= 0 {
		return &OrderReport{ByStatus: map[order.Status]int{}}, nil
	}
	if len(o.Shoppers) == 0 {
		return nil, minimall.Errorf(minimall.Invalid, "seed.Orders", "Orders need seeded shoppers. 下单需要已注册的用户。")
	}
	stock, err := inStock(ctx, cat)
	if err != nil {
		return nil, err
	}
	if len(stock.shops) == 0 {
		return nil, minimall.Errorf(minimall.Invalid, "seed.Orders", "No item on sale has stock: seed the catalogue first. 没有有库存的在售商品，请先填充商品。")
	}
	workers := o.Workers
	if workers <= 0 {
		workers = 16
	}
	rep := &OrderReport{ByStatus: map[order.Status]int{}}
	var (
		mu       sync.Mutex
		firstErr error
		next     atomic.Int64
		done     atomic.Int64
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker has its own random source, so no lock is taken
			// to draw; the mix still follows the shares above.
			r := rand.New(rand.NewPCG(o.Seed+uint64(w), o.Seed^0x6a09e667f3bcc909+uint64(w)))
			for {
				i := int(next.Add(1)) - 1
				if i >= o.Orders || ctx.Err() != nil {
					return
				}
				st, err := placeOne(ctx, svc, stock, r, o, i)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("seed order %d: %w", i+1, err)
					}
					mu.Unlock()
					cancel()
					return
				}
				rep.Orders++
				rep.ByStatus[st]++
				mu.Unlock()
				n := int(done.Add(1))
				if o.Progress != nil {
					mu.Lock()
					o.Progress(n, o.Orders)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return rep, firstErr
}

// placeOne places order i and takes it to the state drawn for it.
func placeOne(ctx context.Context, svc *order.Service, stock *stockBook, r *rand.Rand, o OrderOptions, i int) (order.Status, error) {
	k := i % len(o.Shoppers)
	who := minimall.Actor{Kind: minimall.Shopper, Subject: o.Shoppers[k]}
	own := ""
	if len(o.Phones) == len(o.Shoppers) {
		own = o.Phones[k]
	}
	lines := stock.take(r)
	if lines == nil {
		return "", minimall.Errorf(minimall.Conflict, "seed.Orders", "The seeded items are out of stock: seed more items. 商品库存已用完，请填充更多商品。")
	}
	req := PlaceRequest(r, own)
	req.Items = lines
	placed, _, err := svc.Place(ctx, who, req, "")
	if err != nil {
		return "", err
	}
	id := placed[0].ID
	switch d := r.IntN(100); {
	case d < sharePending:
		return order.PendingPayment, nil
	case d < sharePending+shareCancelled:
		_, err := svc.Cancel(ctx, who, id)
		stock.give(lines)
		return order.Cancelled, err
	}
	pay, _, err := svc.Pay(ctx, who, id, order.PayRequest{Channel: "alipay"}, "", fmt.Sprintf("seed-pay-%d", i+1))
	if err != nil {
		return "", err
	}
	err = svc.PaymentNotified(ctx, order.PaymentNotice{PaymentID: pay.ID, TradeNo: pay.TradeNo, Status: order.PaymentPaid,
		AmountFen: pay.AmountFen, Channel: pay.Channel, PaidAt: time.Now().UTC().Format(time.RFC3339)})
	return order.Paid, err
}

// PlaceRequest makes a buyer's order form without its items: a recipient
// with a Chinese name, address and phone (the buyer's own phone, ownPhone,
// two times in three when given), and now and then a delivery time, a
// remark, an invoice or a parcel for someone else.
func PlaceRequest(r *rand.Rand, ownPhone string) order.PlaceRequest {
	req := order.PlaceRequest{Recipient: order.Recipient{Name: PersonName(r), Address: Address(r), Phone: ownPhone}}
	if ownPhone == "" || r.IntN(3) == 0 {
		req.Recipient.Phone = MobilePhone(r)
	}
	if r.IntN(4) == 0 {
		req.Recipient.DeliveryTime = pick(r, deliveryTimes)
	}
	if r.IntN(5) == 0 {
		req.Remark = pick(r, remarks)
	}
	if r.IntN(10) == 0 {
		req.ForSomeoneElse, req.RecipientAgreed = true, true
	}
	if r.IntN(20) == 0 {
		req.InvoiceRequested = true
		req.Invoice = &order.Invoice{Title: pick(r, companies), TaxpayerID: fmt.Sprintf("91330106MA%08d", r.IntN(100_000_000)),
			Email: fmt.Sprintf("fapiao%04d@example.cn", r.IntN(10000))}
	}
	return req
}

// PersonName returns a Chinese full name: a common surname and a one- or
// two-character given name.
func PersonName(r *rand.Rand) string {
	name := pick(r, surnames) + pick(r, givenChars)
	if r.IntN(3) > 0 {
		name += pick(r, givenChars)
	}
	return name
}

// Address returns a delivery address: province, city, district, road,
// number, estate, building, unit and room.
func Address(r *rand.Rand) string {
	p := &places[r.IntN(len(places))]
	return fmt.Sprintf("%s%s%s%s%d号%s%d幢%d单元%d%02d室", p.province, p.city, pick(r, p.districts), pick(r, roads),
		1+r.IntN(999), pick(r, estates), 1+r.IntN(30), 1+r.IntN(4), 1+r.IntN(33), 1+r.IntN(4))
}

// MobilePhone returns a mainland mobile number of a real prefix.
func MobilePhone(r *rand.Rand) string {
	return fmt.Sprintf("%s%08d", pick(r, mobilePrefixes), r.IntN(100_000_000))
}

// stockBook is the items on sale with stock, by shop, and how much of
// each the seeding may still take (it keeps its own count, so it never
// asks for more than the catalogue holds).
type stockBook struct {
	mu    sync.Mutex
	shops []string
	items map[string][]string // shop -> item ids
	left  map[string]int64
}

// inStock reads the catalogue for items on sale with stock, skipping
// cross-border goods (an order for them needs the orderer's ID number).
func inStock(ctx context.Context, cat *catalog.Service) (*stockBook, error) {
	b := &stockBook{items: map[string][]string{}, left: map[string]int64{}}
	for after := ""; ; {
		list, err := cat.ScanItems(ctx, after, 5000)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return b, nil
		}
		for _, it := range list {
			if it.Status != catalog.OnSale || it.Stock <= 0 || crossBorder(it) {
				continue
			}
			if b.items[it.Shop] == nil {
				b.shops = append(b.shops, it.Shop)
			}
			b.items[it.Shop] = append(b.items[it.Shop], it.ID)
			b.left[it.ID] = it.Stock
		}
		after = list[len(list)-1].ID
	}
}

// crossBorder is catalog's own test: the mark in any attribute.
func crossBorder(it *catalog.Item) bool {
	for k, v := range it.Attributes {
		if strings.Contains(k+v, catalog.CrossBorderAttribute) {
			return true
		}
	}
	return false
}

// take picks one to three items of one shop, one or two of each (mostly
// one), and counts them out; nil when it finds nothing left.
func (b *stockBook) take(r *rand.Rand) []order.LineRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range 50 {
		list := b.items[b.shops[r.IntN(len(b.shops))]]
		var lines []order.LineRequest
		seen := map[string]bool{}
		for range 1 + r.IntN(3)*r.IntN(2) { // one item two times in three
			id := list[r.IntN(len(list))]
			q := int64(1)
			if r.IntN(5) == 0 {
				q = 2
			}
			if seen[id] || b.left[id] < q {
				continue
			}
			seen[id] = true
			b.left[id] -= q
			lines = append(lines, order.LineRequest{Item: id, Quantity: q})
		}
		if len(lines) > 0 {
			return lines
		}
	}
	return nil
}

// give puts a cancelled order's items back.
func (b *stockBook) give(lines []order.LineRequest) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range lines {
		b.left[l.Item] += l.Quantity
	}
}

// place is a province (or municipality), one of its cities and districts.
type place struct {
	province, city string
	districts      []string
}

var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "欧阳", "司马"}
	givenChars = []string{"伟", "芳", "娜", "秀", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "婷", "雪", "琳", "晨", "宇", "浩", "欣", "怡", "子", "梓", "涵", "轩", "嘉", "俊", "思", "雨"}
	places     = []place{
		{"北京市", "", []string{"朝阳区", "海淀区", "东城区", "西城区", "丰台区", "通州区"}},
		{"上海市", "", []string{"浦东新区", "徐汇区", "静安区", "黄浦区", "闵行区", "杨浦区"}},
		{"天津市", "", []string{"和平区", "南开区", "河西区", "滨海新区"}},
		{"重庆市", "", []string{"渝中区", "江北区", "南岸区", "沙坪坝区"}},
		{"广东省", "广州市", []string{"天河区", "越秀区", "海珠区", "番禺区", "白云区"}},
		{"广东省", "深圳市", []string{"南山区", "福田区", "罗湖区", "宝安区", "龙岗区"}},
		{"浙江省", "杭州市", []string{"西湖区", "滨江区", "余杭区", "拱墅区", "上城区"}},
		{"浙江省", "宁波市", []string{"鄞州区", "海曙区", "江北区"}},
		{"江苏省", "南京市", []string{"鼓楼区", "玄武区", "建邺区", "江宁区"}},
		{"江苏省", "苏州市", []string{"姑苏区", "工业园区", "吴中区", "相城区"}},
		{"四川省", "成都市", []string{"武侯区", "锦江区", "青羊区", "高新区", "成华区"}},
		{"湖北省", "武汉市", []string{"武昌区", "江汉区", "洪山区", "汉阳区"}},
		{"山东省", "青岛市", []string{"市南区", "市北区", "崂山区", "黄岛区"}},
		{"福建省", "厦门市", []string{"思明区", "湖里区", "集美区"}},
		{"陕西省", "西安市", []string{"雁塔区", "碑林区", "未央区", "长安区"}},
		{"湖南省", "长沙市", []string{"岳麓区", "芙蓉区", "天心区", "开福区"}},
	}
	roads          = []string{"中山路", "人民路", "解放路", "建设路", "文三路", "长江路", "和平路", "学院路", "新华路", "科技路", "滨河路", "光明街", "幸福路", "朝阳路"}
	estates        = []string{"阳光花园", "翠苑小区", "锦绣华庭", "金色家园", "碧桂园", "万科城", "绿城桂花园", "世纪新城", "和谐家园", "御景湾"}
	mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "150", "151", "152", "155", "157", "158", "159", "166", "176", "177", "180", "181", "185", "186", "187", "188", "189", "199"}
	deliveryTimes  = []string{"工作日送货", "周末送货", "工作日晚上6点后", "随时可以送货"}
	remarks        = []string{"请放快递柜", "到了请打电话", "放门卫处即可", "请尽快发货，谢谢", "送人的礼物，不要放发票", "轻拿轻放", "不要电话联系，发短信即可"}
	companies      = []string{"杭州青禾网络科技有限公司", "深圳市蓝海贸易有限公司", "上海启明文化传播有限公司", "成都锦程信息技术有限公司"}
)
