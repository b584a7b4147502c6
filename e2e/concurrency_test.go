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
)

const (
	concurrentCalls    = 1000
	concurrentInFlight = 64 // calls in flight at once; every call has its own goroutine
)

// TestConcurrentCalls shares one runtime client and one typed client among
// 1,000 goroutines, each terminating its own contract in the sandbox (half
// through the typed method, half through Client.Call), while two more
// goroutines rotate the verification keys: a second key comes and goes, and
// the sandbox's key is added again and again. Every call must succeed and be
// verified; the sandbox refuses a reused nonce, so this also shows that
// nonces stay distinct under load. Run it with -race.
func TestConcurrentCalls(t *testing.T) {
	srv, rt, c := familySandbox(t, wechatpaytest.Options{NoNotifications: true, NoExampleContract: true})
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
	sem := make(chan struct{}, concurrentInFlight)
	var calls sync.WaitGroup
	start := time.Now()
	for i, code := range codes {
		calls.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
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
	for _, code := range codes {
		if st := srv.ContractState(familyServiceID, code); st != wechatpaytest.ContractTerminated {
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
		fmt.Printf("concurrency: %d calls, %d verified, %d key rotations, %v elapsed\n",
			concurrentCalls, verified.Load(), rotations.Load(), elapsed.Round(time.Millisecond))
	}
}
