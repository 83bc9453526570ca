package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/parleychat/parley/internal/passhash"
)

// mkpasswd reads one password line from stdin and prints its hash as the last line of stdout.
func mkpasswd(stdin io.Reader, stdout, stderr io.Writer) int {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintln(stderr, "parley mkpasswd:", err)
		return 1
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprintln(stderr, "parley mkpasswd: empty password (type it on standard input)")
		return 2
	}
	hash, err := passhash.Hash([]byte(password))
	if err != nil {
		fmt.Fprintln(stderr, "parley mkpasswd:", err)
		return 1
	}
	fmt.Fprintln(stdout, hash)
	return 0
}
