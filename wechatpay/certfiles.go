package wechatpay

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CertificateFileName returns the name WriteCertificates gives the PEM file
// of the certificate with the given serial: wechatpay_<serial>.pem.
func CertificateFileName(serial string) string { return "wechatpay_" + serial + ".pem" }

// WriteCertificates writes each certificate as a PEM file named
// CertificateFileName(serial) into dir, which must exist, and returns the
// paths, in the order of certs. Each file is written whole or not at all (a
// temporary file in dir, synced, then renamed over the name), so a reader
// never sees half a certificate.
//
// Other files in dir are never touched. A file that already has a
// certificate's name is replaced only when it holds a certificate with that
// serial (an older copy); anything else there is an error naming the file,
// and then nothing is written at all.
func WriteCertificates(dir string, certs []PlatformCertificate) ([]string, error) {
	paths := make([]string, len(certs))
	write := make([]bool, len(certs))
	for i, c := range certs {
		if c.Certificate == nil || !headerSafe(c.Serial) || CertificateSerial(c.Certificate) != c.Serial {
			return nil, fmt.Errorf("wechatpay: write certificates: entry %d is not a checked platform certificate", i)
		}
		paths[i] = filepath.Join(dir, CertificateFileName(c.Serial))
		old, err := os.ReadFile(paths[i])
		switch {
		case errors.Is(err, fs.ErrNotExist):
			write[i] = true
		case err != nil:
			return nil, fmt.Errorf("wechatpay: write certificates: %w", err)
		case bytes.Equal(old, c.PEM):
			// already there
		default:
			existing, perr := ParseCertificate(old)
			if perr != nil || CertificateSerial(existing) != c.Serial {
				return nil, fmt.Errorf("wechatpay: write certificates: %s exists and is not certificate %s: not overwritten", paths[i], c.Serial)
			}
			write[i] = true
		}
	}
	for i, c := range certs {
		if !write[i] {
			continue
		}
		if err := writeFileAtomic(dir, paths[i], certPEMOf(c)); err != nil {
			return nil, fmt.Errorf("wechatpay: write certificates: %w", err)
		}
	}
	return paths, nil
}

// certPEMOf returns the PEM of c: as decrypted, or encoded from the
// certificate when PEM is empty.
func certPEMOf(c PlatformCertificate) []byte {
	if len(c.PEM) > 0 {
		return c.PEM
	}
	return pemOf(c.Certificate.Raw)
}

// writeFileAtomic writes data to path through a temporary file in dir.
func writeFileAtomic(dir, path string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, ".wechatpay-cert-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil { // a certificate is public
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
