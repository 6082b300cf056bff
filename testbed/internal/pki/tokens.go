package pki

import (
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"archipelago.dev/testbed/internal/layout"
)

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func newTokens() (Tokens, error) {
	var t Tokens
	dsts := []*string{&t.Admin, &t.Scoped, &t.Controller, &t.Scheduler, &t.Kwok}
	for i := range t.Aliases {
		dsts = append(dsts, &t.Aliases[i])
	}
	for _, dst := range dsts {
		tok, err := newToken()
		if err != nil {
			return Tokens{}, err
		}
		*dst = tok
	}
	return t, nil
}

// tokenRow is one line of kube-apiserver's --token-auth-file:
// token,user,uid,"group1,group2".
type tokenRow struct {
	token, user string
	groups      []string
}

func (t Tokens) rows(cluster string) []tokenRow {
	rows := []tokenRow{
		{t.Admin, AdminUser, []string{MastersGroup}},
		{t.Scoped, ScopedUser, nil},
		{t.Controller, ControllerUser, []string{MastersGroup}},
		{t.Scheduler, SchedulerUser, []string{MastersGroup}},
		{t.Kwok, KwokUser, []string{MastersGroup}},
	}
	for i, tok := range t.Aliases {
		rows = append(rows, tokenRow{tok, AliasUser(cluster, i+2), []string{MastersGroup}})
	}
	return rows
}

// AliasUser is the user name of alias k's admin token in cluster: alias 1
// (the cluster's own name) is the admin user, alias k >= 2 has its own user
// (testbed-3-a7-admin), so the API server's audit log tells which alias made
// each call.
func AliasUser(cluster string, k int) string {
	if k == 1 {
		return AdminUser
	}
	return cluster + layout.AliasInfix + strconv.Itoa(k) + "-admin"
}

// AliasToken returns the admin token of alias k (>= 1) of cluster c. Every
// cluster's token file holds a token for each possible alias, because the
// API server reads it only at start: aliases can then be added to a running
// cluster.
func AliasToken(c layout.ClusterDir, k int) (string, error) {
	t, err := readTokens(c.TokenFile(), c.Name)
	if err != nil {
		return "", fmt.Errorf("%s has no alias tokens (started by an older testbed? run `down` and `up` again): %w", c.Name, err)
	}
	if k == 1 {
		return t.Admin, nil
	}
	if k < 2 || k-2 >= len(t.Aliases) {
		return "", fmt.Errorf("%s: no alias %d (1..%d)", c.Name, k, len(t.Aliases)+1)
	}
	return t.Aliases[k-2], nil
}

func tokenCSV(cluster string, t Tokens) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, r := range t.rows(cluster) {
		_ = w.Write([]string{r.token, r.user, r.user, strings.Join(r.groups, ",")})
	}
	w.Flush()
	return []byte(b.String())
}

func readTokens(path, cluster string) (Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return Tokens{}, err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return Tokens{}, fmt.Errorf("%s: %w", path, err)
	}
	byUser := map[string]string{}
	for _, r := range records {
		if len(r) >= 2 {
			byUser[r[1]] = r[0]
		}
	}
	t := Tokens{
		Admin: byUser[AdminUser], Scoped: byUser[ScopedUser], Controller: byUser[ControllerUser],
		Scheduler: byUser[SchedulerUser], Kwok: byUser[KwokUser],
	}
	for i := range t.Aliases {
		t.Aliases[i] = byUser[AliasUser(cluster, i+2)]
	}
	for _, r := range t.rows(cluster) {
		if r.token == "" {
			return Tokens{}, fmt.Errorf("%s: no token for %s", path, r.user)
		}
	}
	return t, nil
}
