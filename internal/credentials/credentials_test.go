package credentials_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/buildpacks/libcnb/v2"
	"github.com/onbuild-buildpacks/onbuild/internal/credentials"
	"github.com/sclevine/spec"
)

func testCredentials(t *testing.T, context spec.G, it spec.S) {
	var Expect = NewWithT(t).Expect

	gitBinding := func(name, dir string) libcnb.Binding {
		return libcnb.Binding{Name: name, Type: "git-credentials", Path: dir, Secret: map[string]string{"credentials": "http://u:p@127.0.0.1:9\n"}}
	}

	// git runs this machine's git with only the given system config.
	git := func(config, input string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Stdin = strings.NewReader(input)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_SYSTEM="+config, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0")
		out, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		return string(out)
	}

	it("gives git a helper that answers from the binding's file and never writes it", func() {
		dir := t.TempDir()
		file := filepath.Join(dir, "credentials")
		Expect(os.WriteFile(file, []byte("http://u:p@127.0.0.1:9\n"), 0644)).To(Succeed())
		found, err := credentials.Read(libcnb.Bindings{gitBinding("corp", dir)})
		Expect(err).NotTo(HaveOccurred())
		Expect(found.Used).To(Equal([]string{"git reads credentials from binding corp (git-credentials)"}))
		config := filepath.Join(t.TempDir(), "gitconfig")
		Expect(os.WriteFile(config, []byte(found.GitConfig), 0644)).To(Succeed())

		Expect(git(config, "protocol=http\nhost=127.0.0.1:9\n\n", "credential", "fill")).To(ContainSubstring("username=u\npassword=p\n"))
		// After a fetch git stores or erases what it used: the mounted
		// binding must stay as it is.
		git(config, "protocol=http\nhost=127.0.0.1:9\nusername=u\npassword=new\n\n", "credential", "approve")
		git(config, "protocol=http\nhost=127.0.0.1:9\nusername=u\npassword=p\n\n", "credential", "reject")
		content, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(content)).To(Equal("http://u:p@127.0.0.1:9\n"))
	})

	it("quotes a binding path for the shell and the git config file", func() {
		found, err := credentials.Read(libcnb.Bindings{gitBinding("b", "/platform/bindings/my \"creds\""), gitBinding("a", "/platform/bindings/a")})
		Expect(err).NotTo(HaveOccurred())
		Expect(found.GitConfig).To(Equal("[credential]\n\thelper = \"!f() { test \\\"$1\\\" = get && git credential-store --file=/platform/bindings/a/credentials get; }; f\"\n" +
			"[credential]\n\thelper = \"!f() { test \\\"$1\\\" = get && git credential-store --file='/platform/bindings/my \\\"creds\\\"/credentials' get; }; f\"\n"))
		config := filepath.Join(t.TempDir(), "gitconfig")
		Expect(os.WriteFile(config, []byte(found.GitConfig), 0644)).To(Succeed())
		Expect(git(config, "", "config", "--system", "--get-all", "credential.helper")).To(Equal(
			"!f() { test \"$1\" = get && git credential-store --file=/platform/bindings/a/credentials get; }; f\n" +
				"!f() { test \"$1\" = get && git credential-store --file='/platform/bindings/my \"creds\"/credentials' get; }; f\n"))
	})

	it("points pip and go at a netrc binding", func() {
		netrc := libcnb.Binding{Name: "n", Type: "netrc", Path: "/platform/bindings/n", Secret: map[string]string{"netrc": "machine h login u password p\n"}}
		found, err := credentials.Read(libcnb.Bindings{netrc})
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(Equal(credentials.Credentials{Netrc: "/platform/bindings/n/netrc", Used: []string{"pip and go read NETRC from binding n (netrc)"}}))

		_, err = credentials.Read(libcnb.Bindings{netrc, netrc})
		Expect(err).To(MatchError(ContainSubstring("[Error: Several netrc bindings]")))
	})

	it("finds nothing without credential bindings", func() {
		found, err := credentials.Read(libcnb.Bindings{{Name: "ca", Type: "ca-certificates"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(found).To(Equal(credentials.Credentials{}))
	})

	it("names the binding and the file it lacks", func() {
		binding := gitBinding("corp", "/platform/bindings/corp")
		binding.Secret = map[string]string{"token": "x"}
		_, err := credentials.Read(libcnb.Bindings{binding})
		Expect(err).To(MatchError(ContainSubstring("The binding corp (type git-credentials, at /platform/bindings/corp) has no file named credentials.")))
	})
}
