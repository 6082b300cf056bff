package seed

import _ "embed"

// Fixed certificates for kubernetes.io/tls secrets: generated once and
// checked in so that seeding is byte-for-byte deterministic, and real X.509
// so that a UI can show subjects and expiry (one valid until 2036, one
// expired in 2025), sharing one key.
var (
	//go:embed certs/valid.crt
	validCert []byte
	//go:embed certs/expired.crt
	expiredCert []byte
	//go:embed certs/tls.key
	tlsKey []byte
)
