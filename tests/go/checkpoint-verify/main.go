// checkpoint-verify checks a Tamar checkpoint with Go's own signed-note implementation,
// golang.org/x/mod/sumdb/note, independently of the Rust code that wrote it.
//
//	checkpoint-verify VERIFIER_KEY CHECKPOINT_FILE
//
// It opens the note with the verifier key (name+id+key), then reads the checkpoint body as
// c2sp.org/tlog-checkpoint defines it: the origin (which must be the key's name), the tree
// size in decimal without leading zeroes, and the base64 of a 32-byte root hash. It prints
// "origin size root" and exits 0, or prints why not and exits 1.
//
// Built in GOPATH mode against Debian's golang-golang-x-mod-dev, so nothing is downloaded:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o checkpoint-verify main.go
package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "checkpoint-verify: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: checkpoint-verify VERIFIER_KEY CHECKPOINT_FILE")
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(os.Args[1]))
	if err != nil {
		fail("bad verifier key: %v", err)
	}
	msg, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("the note does not verify: %v", err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != verifier.Name() || n.Sigs[0].Hash != verifier.KeyHash() {
		fail("unexpected signatures: %+v", n.Sigs)
	}
	lines := strings.Split(n.Text, "\n")
	// Three lines, each ended by a newline: the last element after the split is empty.
	if len(lines) != 4 || lines[3] != "" {
		fail("the checkpoint has %d lines, want 3", len(lines)-1)
	}
	origin, sizeText, rootText := lines[0], lines[1], lines[2]
	if origin != verifier.Name() {
		fail("origin %q is not the key's name %q", origin, verifier.Name())
	}
	size, err := strconv.ParseUint(sizeText, 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != sizeText {
		fail("bad tree size %q", sizeText)
	}
	root, err := base64.StdEncoding.DecodeString(rootText)
	if err != nil || len(root) != 32 {
		fail("bad root hash %q", rootText)
	}
	fmt.Printf("%s %d %s\n", origin, size, rootText)
}
