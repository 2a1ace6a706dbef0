package cli

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/occheck/occheck/mockserver"
)

// runKeygen writes a private key for private_key_jwt client
// authentication and prints its public JWK Set, the vendor's first step:
// register the set for the test client at the server under test.
func runKeygen(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("keygen", flag.ContinueOnError)
	alg := fset.String("alg", mockserver.ES256, "signing algorithm: "+strings.Join(mockserver.SigningAlgs, ", "))
	out := fset.String("o", "client-key.pem", "`file` to write the private key to (PKCS#8 PEM, mode 0600)")
	kid := fset.String("kid", "", "key id of the public key (default: its RFC 7638 thumbprint)")
	force := fset.Bool("force", false, "overwrite the file if it exists")
	certOut := fset.String("self-signed-cert", "", "also write a self-signed client certificate for the key to this `file` (PEM), for self_signed_tls_client_auth (RFC 8705 §2.2); the JWK Set then carries it in x5c")
	cn := fset.String("subject", "occheck-client", "common name of the --self-signed-cert certificate")
	if code, ok := parseFlags(fset, args, stdout, stderr); !ok {
		return code
	}
	if !slices.Contains(mockserver.SigningAlgs, *alg) {
		fmt.Fprintf(stderr, "occheck keygen: --alg %q is not one of %s\n", *alg, strings.Join(mockserver.SigningAlgs, ", "))
		return exitUsage
	}
	key, err := mockserver.GenerateClientKey(*alg)
	if err != nil {
		fmt.Fprintf(stderr, "occheck keygen: %v\n", err)
		return exitUsage
	}
	if *kid != "" {
		key.KeyID = *kid
	}
	der, err := x509.MarshalPKCS8PrivateKey(key.Private)
	if err != nil {
		fmt.Fprintf(stderr, "occheck keygen: %v\n", err)
		return exitUsage
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(*out, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		fmt.Fprintf(stderr, "occheck keygen: %s exists; choose another file with -o, or pass --force to overwrite it\n", *out)
		return exitUsage
	}
	if err == nil {
		err = f.Chmod(0o600) // an overwritten file keeps its old mode otherwise
		if err == nil {
			err = pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "occheck keygen: %v\n", unwrapPath(err))
		return exitUsage
	}
	jwks := key.PublicJWKS()
	if *certOut != "" {
		cert, err := mockserver.SelfSign(key.Private, *cn, 365*24*time.Hour)
		if err == nil {
			err = writeNew(*certOut, cert.PEM(), 0o644, *force)
		}
		if err != nil {
			fmt.Fprintf(stderr, "occheck keygen: --self-signed-cert: %v\n", err)
			return exitUsage
		}
		jwks.Keys[0].Certificates = []*x509.Certificate{cert.Cert}
		fmt.Fprintf(stderr, "occheck keygen: wrote a self-signed certificate (CN=%s, valid for a year) to %s; use it with --client-cert %s --client-cert-key %s\n", *cn, *certOut, *certOut, *out)
	}
	set, err := json.MarshalIndent(jwks, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "occheck keygen: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "occheck keygen: wrote the %s private key to %s (keep it secret); the public JWK Set below is what to register for the client\n", *alg, *out)
	fmt.Fprintf(stdout, "%s\n", set)
	return exitOK
}

// writeNew writes data to path with mode, refusing to overwrite an
// existing file unless force.
func writeNew(path string, data []byte, mode os.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, mode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; choose another file, or pass --force to overwrite it", path)
	}
	if err != nil {
		return unwrapPath(err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
