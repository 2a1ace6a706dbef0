package main

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
	set, err := json.MarshalIndent(key.PublicJWKS(), "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "occheck keygen: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "occheck keygen: wrote the %s private key to %s (keep it secret); the public JWK Set below is what to register for the client\n", *alg, *out)
	fmt.Fprintf(stdout, "%s\n", set)
	return exitOK
}
