package main

import (
	"bufio"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/taxiinode/taxiinode/node"
)

func accountAdd(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	name, err := required(c, "name")
	if err != nil {
		return err
	}
	a := node.AccountSettings{
		Name:         name,
		CertSHA256:   c.StringSlice("cert-sha256"),
		CertSubjects: c.StringSlice("cert-subject"),
	}
	a.Read, a.Write = c.StringSlice("read"), c.StringSlice("write")
	if c.Bool("password-stdin") {
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		password := strings.TrimRight(line, "\r\n")
		if password == "" {
			return usagef("account add: no password on standard input")
		}
		if a.PasswordHash, err = node.HashPassword(password); err != nil {
			return err
		}
	}
	if a.PasswordHash == "" && len(a.CertSHA256)+len(a.CertSubjects) == 0 {
		return usagef("account add: give --password-stdin or a client certificate")
	}
	return editSettings(c, func(s *node.Settings) error {
		for _, x := range s.Accounts {
			if x.Name == name {
				return usagef("account add: account %q exists", name)
			}
		}
		s.Accounts = append(s.Accounts, a)
		return nil
	}, "account %s added", name)
}
