package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// concurrentCalls is how many calls TestConcurrentCalls makes, all in
// flight at once.
const concurrentCalls = 1000

// TestConcurrentCalls shares one runtime client and one typed client among
// 1,000 goroutines, each terminating its own contract in the sandbox (half
// through the typed method, half through Client.Call), while two more
// goroutines rotate the verification keys: a second key comes and goes, and
// the sandbox's key is added again and again. The client's transport holds
// every signed request until all 1,000 are there, then lets them go at once,
// so the calls are in flight together and their answers are verified while
// the keys change. Every call must succeed and be
// verified; the sandbox refuses a reused nonce, so this also shows that
// nonces stay distinct under load. Run it with -race.
func TestConcurrentCalls(t *testing.T) {
	srv, _, _ := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	cfg := recordedConfig(srv.Server)
	gate := newCallGate(t, cfg.HTTPClient.Transport, concurrentCalls)
	// No Timeout: the calls wait at the gate for each other; go test's
	// -timeout bounds the test.
	cfg.HTTPClient = &http.Client{Transport: gate}
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := pec.NewClient(rt)
	codes := make([]string, concurrentCalls)
	for i := range codes {
		codes[i] = fmt.Sprintf("concurrent%04d", i)
		if err := srv.AddContract(familyServiceID, codes[i]); err != nil {
			t.Fatal(err)
		}
	}
	sandboxKey := srv.ClientConfig().VerificationKeys[0]
	keys := rt.Keys()
	spare := &loadKeys(t).other.PublicKey

	stop := make(chan struct{})
	var rotations atomic.Int64
	var rotators sync.WaitGroup
	rotate := func(step func(i int) error) {
		rotators.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := step(i); err != nil {
					t.Error(err)
					return
				}
				rotations.Add(1)
				time.Sleep(100 * time.Microsecond) // leave the CPUs to the calls
			}
		})
	}
	rotate(func(i int) error { // a second key comes and goes
		serial := wechatpay.PublicKeyIDPrefix + strconv.Itoa(900000+i)
		if err := keys.Add(wechatpay.VerificationKey{Serial: serial, PublicKey: spare}); err != nil {
			return fmt.Errorf("add a second key: %w", err)
		}
		if _, ok := keys.Lookup(serial); !ok {
			return fmt.Errorf("key %s missing right after Add", serial)
		}
		keys.Remove(serial)
		return nil
	})
	rotate(func(int) error { // the sandbox's key is replaced by itself
		if err := keys.Add(sandboxKey); err != nil {
			return fmt.Errorf("re-add the sandbox key: %w", err)
		}
		if !slices.Contains(keys.Serials(), sandboxKey.Serial) {
			return fmt.Errorf("the sandbox key is missing from %v", keys.Serials())
		}
		return nil
	})

	ctx := context.Background()
	const path = "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}/terminate"
	var verified atomic.Int64
	var calls sync.WaitGroup
	start := time.Now()
	for i, code := range codes {
		calls.Go(func() {
			ctx, reached := gate.ticket(ctx)
			defer func() {
				if !reached.Load() {
					gate.missed()
				}
			}()
			var resp *pec.TerminateByCodeResponse
			var err error
			if i%2 == 0 {
				resp, err = c.TerminateByCode(ctx, &pec.TerminateByCodeRequest{ServiceID: familyServiceID, OutContractCode: code, ContractTerminationRemark: "用户解约"})
			} else {
				resp = new(pec.TerminateByCodeResponse)
				err = rt.Call(ctx, http.MethodPost, path,
					map[string]string{"service_id": strconv.Itoa(familyServiceID), "out_contract_code": code}, nil,
					map[string]string{"contract_termination_remark": "用户解约"}, resp)
			}
			recorded.sawError(err)
			switch {
			case err != nil:
				t.Errorf("call %d (%s): %v", i, code, err)
			case resp.OutContractCode != code || resp.ServiceID != familyServiceID || resp.MchID != wechatpaytest.DefaultMchID:
				t.Errorf("call %d (%s): answer %+v", i, code, resp)
			default:
				verified.Add(1)
			}
		})
	}
	calls.Wait()
	elapsed := time.Since(start)
	close(stop)
	rotators.Wait()

	if n := verified.Load(); n != concurrentCalls {
		t.Errorf("%d of %d calls verified", n, concurrentCalls)
	}
	if n := gate.together(); n != concurrentCalls {
		t.Errorf("%d calls were in flight together, want all %d", n, concurrentCalls)
	}
	for _, code := range codes {
		if st := srv.State(familyServiceID, code); st != contracts.Terminated {
			t.Errorf("contract %s is %v after its termination", code, st)
		}
	}
	if got := keys.Serials(); !slices.Equal(got, []string{sandboxKey.Serial}) {
		t.Errorf("keys after the rotations: %v, want the sandbox key alone", got)
	}
	if rotations.Load() == 0 {
		t.Error("no key rotation ran during the calls")
	}
	if !t.Failed() {
		fmt.Printf("concurrency: %d calls in flight at once, %d verified, %d key rotations, %v elapsed\n",
			gate.together(), verified.Load(), rotations.Load(), elapsed.Round(time.Millisecond))
	}
}

// callGate is a transport that holds each request until every one of the
// expected calls has reached it, or ended without reaching it, and then sends
// them all at once. Should the client hold calls back (a lock, a limit), the
// gate opens after gateDeadline anyway, so that the test fails on the count
// instead of hanging.
type callGate struct {
	base http.RoundTripper
	open chan struct{} // closed when the gate opens

	mu               sync.Mutex
	want             int  // calls expected
	arrived, missing int  // calls that reached the gate, or ended without
	opened           bool // whether open is closed
	waitingAtOpening int  // requests held at the gate when it opened
}

func newCallGate(t *testing.T, base http.RoundTripper, calls int) *callGate {
	g := &callGate{base: base, want: calls, open: make(chan struct{})}
	timer := time.AfterFunc(gateDeadline, func() {
		g.mu.Lock()
		g.openNow()
		g.mu.Unlock()
	})
	t.Cleanup(func() { timer.Stop() })
	return g
}

// gateDeadline is far beyond the few seconds 1,000 signatures take under
// -race on two cores.
const gateDeadline = 2 * time.Minute

type gateTicketKey struct{}

// ticket returns a context for one call and the flag the gate sets when the
// call's request reaches it.
func (g *callGate) ticket(ctx context.Context) (context.Context, *atomic.Bool) {
	reached := new(atomic.Bool)
	return context.WithValue(ctx, gateTicketKey{}, reached), reached
}

// RoundTrip waits for the gate to open, then sends req.
func (g *callGate) RoundTrip(req *http.Request) (*http.Response, error) {
	if reached, ok := req.Context().Value(gateTicketKey{}).(*atomic.Bool); ok {
		reached.Store(true)
	}
	g.mu.Lock()
	g.arrived++
	g.openIfAllThere()
	g.mu.Unlock()
	<-g.open
	return g.base.RoundTrip(req)
}

// missed counts a call that ended before its request reached the gate.
func (g *callGate) missed() {
	g.mu.Lock()
	g.missing++
	g.openIfAllThere()
	g.mu.Unlock()
}

func (g *callGate) openIfAllThere() {
	if g.arrived+g.missing >= g.want {
		g.openNow()
	}
}

func (g *callGate) openNow() {
	if !g.opened {
		g.opened = true
		g.waitingAtOpening = g.arrived
		close(g.open)
	}
}

// together is how many requests were held at the gate at once: all waited
// there until it opened.
func (g *callGate) together() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waitingAtOpening
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (g *callGate) CloseIdleConnections() {
	if c, ok := g.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
