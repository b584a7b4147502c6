#!/usr/bin/env python3
"""Writes notify_vector.json: one AEAD_AES_256_GCM notification resource made
with the Python cryptography package (OpenSSL underneath), independent of Go's
crypto/cipher. notify_test.go checks EncryptNotificationResource and the
notification handler against it. The key and plaintext are test values."""
import base64, json, os
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

key = b"payforge-test-apiv3-key-32-bytes"
nonce = b"a1B2c3D4e5F6"
associated_data = b"test-resource"
plaintext = '{"mchid":"1900000109","service_id":12535,"out_contract_code":"wxwtdk20200910100000"}'.encode()
assert len(key) == 32 and len(nonce) == 12
sealed = AESGCM(key).encrypt(nonce, plaintext, associated_data)  # ciphertext || 16-byte tag
vector = {
    "api_v3_key": key.decode(),
    "nonce": nonce.decode(),
    "associated_data": associated_data.decode(),
    "plaintext": plaintext.decode(),
    "ciphertext": base64.b64encode(sealed).decode(),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "notify_vector.json"), "w") as f:
    json.dump(vector, f, indent=2)
    f.write("\n")
