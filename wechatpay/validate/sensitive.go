package validate

import "github.com/payforge/wechatpay/wechatpay"

// Sensitive fields (x-wechatpay-encrypted): a generated method encrypts
// those of a request with one wechatpay.Encrypter, on a copy of the
// request, and decrypts those of an answer in place, so that the caller
// only ever holds plaintext.

// Encrypt replaces *value, the plaintext of the sensitive field named
// field, with its ciphertext under enc; an empty value (absent) stays
// empty. Its errors are enc.Encrypt's (a *wechatpay.ValidationError for a
// value too long to encrypt).
func Encrypt(enc *wechatpay.Encrypter, field string, value *string) error {
	if *value == "" {
		return nil
	}
	sealed, err := enc.Encrypt(field, *value)
	if err != nil {
		return err
	}
	*value = sealed
	return nil
}

// Decrypt replaces *value, the ciphertext of the sensitive answer field
// named field, with its plaintext; an empty value (absent) stays empty. A
// value that does not decrypt is a *wechatpay.DecodeError naming the field,
// wrapping rt.DecryptField's error; it never quotes the value.
func Decrypt(rt *wechatpay.Client, field string, value *string) error {
	if *value == "" {
		return nil
	}
	plain, err := rt.DecryptField(field, *value)
	if err != nil {
		return &wechatpay.DecodeError{Field: field, Err: err}
	}
	*value = plain
	return nil
}
