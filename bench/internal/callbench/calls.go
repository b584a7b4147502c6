package callbench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/payforge/wechatpay/bench/internal/replay"
	"github.com/payforge/wechatpay/bench/oapiclient"
	"github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
)

// requestNonce is a nonce of the length the runtime draws.
const requestNonce = "593BEC0C930BF1AFEB40B4A08C8FB242"

// RequestMessage is the string a terminate call signs.
var RequestMessage = wechatpay.RequestMessage(http.MethodPost, replay.TerminatePath, replay.Now.Unix(), requestNonce, []byte(replay.RequestBody))

// CryptoFloor is the RSA work of one call: sign the request string, verify
// the answer's signature over the answer string.
func CryptoFloor(tb testing.TB, env *replay.Env) Call {
	responseMessage := wechatpay.ResponseMessage(strconv.FormatInt(replay.Now.Unix(), 10), replay.Nonce, []byte(replay.ResponseBody))
	sig, err := base64.StdEncoding.DecodeString(env.Answer.Get(wechatpay.HeaderSignature))
	if err != nil {
		tb.Fatal(err)
	}
	return func(context.Context) error {
		d := sha256.Sum256(RequestMessage)
		if _, err := rsa.SignPKCS1v15(nil, env.MerchantKey, crypto.SHA256, d[:]); err != nil {
			return err
		}
		d = sha256.Sum256(responseMessage)
		return rsa.VerifyPKCS1v15(env.WechatpayPub, crypto.SHA256, d[:], sig)
	}
}

// CryptoFloorWith is CryptoFloor with the signature made by key and checked
// by v, such as OpenSSL's.
func CryptoFloorWith(tb testing.TB, env *replay.Env, key crypto.Signer, v wechatpay.SignatureVerifier) Call {
	responseMessage := wechatpay.ResponseMessage(strconv.FormatInt(replay.Now.Unix(), 10), replay.Nonce, []byte(replay.ResponseBody))
	sig, err := base64.StdEncoding.DecodeString(env.Answer.Get(wechatpay.HeaderSignature))
	if err != nil {
		tb.Fatal(err)
	}
	return func(context.Context) error {
		d := sha256.Sum256(RequestMessage)
		if _, err := key.Sign(nil, d[:], crypto.SHA256); err != nil {
			return err
		}
		d = sha256.Sum256(responseMessage)
		return v.VerifyPKCS1v15SHA256(env.WechatpayPub, d[:], sig)
	}
}

// HTTPFloor sends the bytes a terminate call sends, headers included (with a
// signature made once), and reads the answer.
func HTTPFloor(tb testing.TB, env *replay.Env) Call {
	url := env.URL + replay.TerminatePath
	body := []byte(replay.RequestBody)
	sig, err := wechatpay.Sign(env.MerchantKey, RequestMessage)
	if err != nil {
		tb.Fatal(err)
	}
	auth := wechatpay.Authorization(replay.MchID, replay.MchSerial, requestNonce, replay.Now.Unix(), sig)
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", wechatpay.DefaultUserAgent)
		req.Header.Set(wechatpay.HeaderSerial, replay.PubKeyID)
		resp, err := env.HTTPClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}

// TerminateByCode is one call of the generated client through rt.
func TerminateByCode(rt *wechatpay.Client) Call {
	c := passwordexemptcontract.NewClient(rt)
	req := &passwordexemptcontract.TerminateByCodeRequest{
		ServiceID:                 replay.ServiceID,
		OutContractCode:           replay.OutContractCode,
		ContractTerminationRemark: replay.Remark,
	}
	return func(ctx context.Context) error {
		_, err := c.TerminateByCode(ctx, req)
		return err
	}
}

// OapiCodegen is one call of the oapi-codegen client: signed by a request
// editor, its answer verified before the decoded body is used.
func OapiCodegen(tb testing.TB, env *replay.Env) Call {
	signer, verifier := HandSigned(env)
	c, err := oapiclient.NewClientWithResponses(env.URL,
		oapiclient.WithHTTPClient(env.HTTPClient), oapiclient.WithRequestEditorFn(signer.Edit))
	if err != nil {
		tb.Fatal(err)
	}
	body := oapiclient.TerminateByCodeJSONRequestBody{ContractTerminationRemark: replay.Remark}
	return func(ctx context.Context) error {
		resp, err := c.TerminateByCodeWithResponse(ctx, replay.ServiceID, replay.OutContractCode, body)
		if err != nil {
			return err
		}
		if err := verifier.Verify(resp.HTTPResponse.Header, resp.Body); err != nil {
			return err
		}
		if resp.JSON200 == nil {
			return fmt.Errorf("status %d", resp.StatusCode())
		}
		return nil
	}
}

// Sequence makes the calls one after the other, as one call.
func Sequence(calls ...Call) Call {
	return func(ctx context.Context) error {
		for _, c := range calls {
			if err := c(ctx); err != nil {
				return err
			}
		}
		return nil
	}
}
