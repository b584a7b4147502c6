package wechatpay

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// NotificationAlgorithm is the algorithm WeChat Pay encrypts notification
// resources with; a resource naming any other is rejected.
const NotificationAlgorithm = "AEAD_AES_256_GCM"

// Sizes of the notification resource encryption.
const (
	APIv3KeySize          = 32 // bytes of the merchant's APIv3 key (AES-256)
	NotificationNonceSize = 12 // bytes of resource.nonce
	notificationTagSize   = 16 // bytes of the GCM tag appended to the ciphertext
)

func newResourceAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block) // 12-byte nonce, 16-byte tag
}

// openResource decrypts and authenticates res. Its errors wrap ErrDecrypt and
// describe sizes and formats, never content.
func openResource(aead cipher.AEAD, res NotificationResource) ([]byte, error) {
	plaintext, err := openSealed(aead, res, ErrDecrypt)
	if err != nil {
		return nil, err
	}
	if !json.Valid(plaintext) {
		return nil, fmt.Errorf("%w: plaintext is not JSON", ErrDecrypt)
	}
	return plaintext, nil
}

// openSealed decrypts and authenticates an AEAD_AES_256_GCM object as WeChat
// Pay writes them, in notifications (resource) and in the certificate
// download (encrypt_certificate): algorithm, a 12-byte nonce, Base64 of the
// ciphertext with the 16-byte tag appended, and the associated data. Its
// errors wrap cause and describe sizes and formats, never content.
func openSealed(aead cipher.AEAD, res NotificationResource, cause error) ([]byte, error) {
	if res.Algorithm != NotificationAlgorithm {
		return nil, fmt.Errorf("%w: algorithm %.32q is not %s", cause, res.Algorithm, NotificationAlgorithm)
	}
	if len(res.Nonce) != NotificationNonceSize {
		return nil, fmt.Errorf("%w: nonce has %d bytes, want %d", cause, len(res.Nonce), NotificationNonceSize)
	}
	sealed, err := base64.StdEncoding.DecodeString(res.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext is not Base64", cause)
	}
	if len(sealed) < notificationTagSize {
		return nil, fmt.Errorf("%w: ciphertext has %d bytes, shorter than the %d-byte tag", cause, len(sealed), notificationTagSize)
	}
	plaintext, err := aead.Open(nil, []byte(res.Nonce), sealed, []byte(res.AssociatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (wrong APIv3 key, or tampered ciphertext, nonce or associated data)", cause)
	}
	return plaintext, nil
}

// EncryptNotificationResource encrypts plaintext the way WeChat Pay encrypts a
// notification resource: AES-256-GCM under the 32-byte APIv3 key, with
// associatedData as additional data and the 16-byte tag appended. nonce must be
// 12 bytes of UTF-8 (it travels as a JSON string); nil draws 12 random
// characters of [0-9A-Za-z]. Sandboxes and tests make notifications with it;
// OriginalType is left for the caller to set.
func EncryptNotificationResource(apiV3Key, plaintext []byte, associatedData string, nonce []byte) (NotificationResource, error) {
	if len(apiV3Key) != APIv3KeySize {
		return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: APIv3 key has %d bytes, want %d", len(apiV3Key), APIv3KeySize)
	}
	if nonce == nil {
		s, err := NewNonce(rand.Reader)
		if err != nil {
			return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: %w", err)
		}
		nonce = []byte(s[:NotificationNonceSize])
	}
	if len(nonce) != NotificationNonceSize {
		return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: nonce has %d bytes, want %d", len(nonce), NotificationNonceSize)
	}
	if !utf8.Valid(nonce) {
		return NotificationResource{}, errors.New("wechatpay: encrypt notification resource: nonce is not valid UTF-8")
	}
	aead, err := newResourceAEAD(apiV3Key)
	if err != nil {
		return NotificationResource{}, fmt.Errorf("wechatpay: encrypt notification resource: %w", err)
	}
	sealed := aead.Seal(nil, nonce, plaintext, []byte(associatedData))
	return NotificationResource{
		Algorithm:      NotificationAlgorithm,
		Ciphertext:     base64.StdEncoding.EncodeToString(sealed),
		Nonce:          string(nonce),
		AssociatedData: associatedData,
	}, nil
}
