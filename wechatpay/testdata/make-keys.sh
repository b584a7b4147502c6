#!/bin/sh
# Regenerates the throwaway test keys in this folder with the openssl command
# line. They sign nothing real; tests use them as fixed inputs and openssl as
# the independent oracle.
set -eu
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out merchant_key.pem
openssl rsa -in merchant_key.pem -traditional -out merchant_key_pkcs1.pem
openssl pkey -in merchant_key.pem -pubout -out merchant_public_key.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out wechatpay_key.pem
openssl pkey -in wechatpay_key.pem -pubout -out wechatpay_public_key.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out platform_key.pem
openssl req -new -x509 -key platform_key.pem -days 36500 -subj "/CN=Test Platform Certificate" \
  -set_serial 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1 -out platform_cert.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other_key.pem
