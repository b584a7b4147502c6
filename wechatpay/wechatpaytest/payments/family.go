package payments

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/payforge/wechatpay/spec"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// DefaultSpecFiles returns the files of Options.SpecFS the family serves by
// default: the journey's orders, orders under a contract and refunds. They
// refer to their siblings common.yaml and notifications.yaml, which SpecFS
// must hold too.
func DefaultSpecFiles() []string {
	return []string{"payments.yaml", "contract-payments.yaml", "refunds.yaml"}
}

// The refund outcomes Options.RefundOutcome and Family.SettleRefund take:
// the refund states that end PROCESSING.
const (
	RefundSuccess  = "SUCCESS"
	RefundAbnormal = "ABNORMAL"
	RefundClosed   = "CLOSED"
)

// The trade states of an order (trade_state), the values the official SDKs
// list (see the package doc).
const (
	StateNotPay     = "NOTPAY"
	StateUserPaying = "USERPAYING"
	StateSuccess    = "SUCCESS"
	StateRefund     = "REFUND"
	StateClosed     = "CLOSED"
)

// ContractStates tells the state of a password-exempt contract by its
// contract_id; *contracts.Family is one.
type ContractStates interface {
	StateByID(contractID string) contracts.State
}

// Options configure a Family. The zero value serves the specs embedded in
// github.com/payforge/wechatpay/spec, with no contract known.
type Options struct {
	// SpecFS holds the OpenAPI documents of the family's operations, and
	// SpecFiles names them in it; their references to sibling files are
	// read from SpecFS. Default: spec.FS and DefaultSpecFiles(). A spec of
	// wechatpaytest.Options.Specs that describes an operation wins, and
	// the engine's default specs (Options.Specs nil) are spec.FS's, which
	// describe these operations: to serve them from another SpecFS, give
	// Options.Specs without them.
	SpecFS    fs.FS
	SpecFiles []string
	// Contracts tells whether the contract an order under a contract
	// names is in effect; pass the contract family's behaviour. Nil: no
	// contract is known, and every order naming one is refused.
	Contracts ContractStates
	// AutoPay, when positive, makes the user pay each order that long
	// after it is placed (Family.Pay), for clients that cannot call Pay.
	AutoPay time.Duration
	// AutoSettleRefunds, when positive, ends each refund that long after it
	// is accepted with RefundOutcome (Family.SettleRefund).
	AutoSettleRefunds time.Duration
	// RefundOutcome is how AutoSettleRefunds ends refunds: RefundSuccess
	// (the default), RefundAbnormal or RefundClosed.
	RefundOutcome string
	// RefundNotifyURL is where refund results are notified when the refund
	// request names no notify_url: the address a merchant configures on the
	// merchant platform. Empty: such refunds are not notified.
	RefundNotifyURL string
}

// Family is the behaviour of the merchant's journey after the contract:
// orders, orders under a contract, refunds and the bills that list them,
// kept in memory. Pass it to the server in wechatpaytest.Options.Behaviours;
// it serves one server. Its methods are safe for concurrent use.
type Family struct {
	opts Options

	mu       sync.Mutex
	srv      *wechatpaytest.Server // set by Attach
	orders   map[orderKey]*order   // by merchant and out_trade_no
	byTxn    map[string]*order     // paid orders by transaction_id
	refunds  map[string]*refund    // by out_refund_no
	byRefund map[string]*refund    // by refund_id
	ledger   []flow                // the basic account's fund flow, in order
}

// New returns the family's behaviour, with no order until it attaches.
func New(opts Options) *Family {
	if opts.SpecFS == nil {
		opts.SpecFS = spec.FS
	}
	if opts.SpecFiles == nil {
		opts.SpecFiles = DefaultSpecFiles()
	}
	opts.SpecFiles = slices.Clone(opts.SpecFiles)
	if opts.RefundOutcome == "" {
		opts.RefundOutcome = RefundSuccess
	}
	return &Family{
		opts:     opts,
		orders:   make(map[orderKey]*order),
		byTxn:    make(map[string]*order),
		refunds:  make(map[string]*refund),
		byRefund: make(map[string]*refund),
	}
}

// Specs returns the family's documents, read from Options.SpecFS; see
// wechatpaytest.SpecProvider.
func (f *Family) Specs() []wechatpaytest.Spec {
	specs := make([]wechatpaytest.Spec, len(f.opts.SpecFiles))
	for i, name := range f.opts.SpecFiles {
		specs[i] = wechatpaytest.Spec{Name: name, FS: f.opts.SpecFS}
	}
	return specs
}

// Attach binds the family to srv and returns the handlers of its
// operations; see wechatpaytest.Behaviour.
func (f *Family) Attach(srv *wechatpaytest.Server) (map[string]wechatpaytest.Handler, error) {
	switch o := f.opts.RefundOutcome; {
	case o != RefundSuccess && o != RefundAbnormal && o != RefundClosed:
		return nil, fmt.Errorf("payments: Options.RefundOutcome %q: want SUCCESS, ABNORMAL or CLOSED", o)
	case f.opts.AutoPay < 0 || f.opts.AutoSettleRefunds < 0:
		return nil, errors.New("payments: Options.AutoPay and AutoSettleRefunds must not be negative")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv != nil {
		return nil, errors.New("payments: the family is attached to a server already; use one New per server")
	}
	f.srv = srv
	hs := map[string]wechatpaytest.Handler{
		"queryByTransactionID": f.queryByTransactionID,
		"queryByOutTradeNo":    f.queryByOutTradeNo,
		"closeOrder":           f.closeOrder,
		"createRefund":         f.createRefund,
		"queryRefund":          f.queryRefund,
		"applyAbnormalRefund":  f.applyAbnormalRefund,
	}
	for id, k := range prepayKinds {
		hs[id] = func(c *wechatpaytest.Call) (*wechatpaytest.Response, error) { return f.prepay(k, c) }
	}
	return hs, nil
}

// server returns the server the family is attached to, or an error naming
// what needs it.
func (f *Family) server(what string) (*wechatpaytest.Server, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.srv == nil {
		return nil, fmt.Errorf("payments: %s: the family is not attached to a server (wechatpaytest.Options.Behaviours)", what)
	}
	return f.srv, nil
}

// chinaTime is the zone WeChat Pay writes its times in (+08:00).
var chinaTime = time.FixedZone("CST", 8*60*60)

// rfc3339 writes t as WeChat Pay does, in +08:00.
func rfc3339(t time.Time) string { return t.In(chinaTime).Format(time.RFC3339) }

// randomHex returns n random bytes in lower-case hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b)
}

// randomDigits returns n random decimal digits.
func randomDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, see crypto/rand.Read
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
