package pyversion_test

import (
	"testing"

	. "github.com/onsi/gomega"
	"github.com/sclevine/spec"

	"github.com/onbuild-buildpacks/onbuild/build/python/pyversion"
)

func testSpecifiers(t *testing.T, context spec.G, it spec.S) {
	Expect := NewWithT(t).Expect

	version := func(s string) pyversion.Version {
		v, err := pyversion.ParseVersion(s)
		Expect(err).NotTo(HaveOccurred())
		return v
	}

	it("evaluates each operator on release versions", func() {
		for _, c := range []struct {
			set     string
			version string
			want    bool
		}{
			{">=3.12", "3.13.5", true},
			{">=3.12", "3.12.0", true},
			{">=3.12", "3.11.9", false},
			{">3.13", "3.13.5", true},
			{">3.13.5", "3.13.5", false},
			{"<4", "3.13.5", true},
			{"<3.13", "3.13.0", false},
			{"<3.13", "3.12.9", true},
			{"<=3.13", "3.13.0", true},
			{"<=3.13", "3.13.1", false},
			{"==3.13", "3.13.0", true},
			{"==3.13", "3.13.5", false},
			{"==3.13.*", "3.13.5", true},
			{"==3.13.*", "3.14.0", false},
			{"==3.*", "3.13.5", true},
			{"!=3.12.*", "3.12.4", false},
			{"!=3.12.*", "3.13.5", true},
			{"!=3.13.5", "3.13.5", false},
			{"!=3.13.4", "3.13.5", true},
			{"~=3.11", "3.13.5", true},
			{"~=3.11", "4.0.0", false},
			{"~=3.11", "3.10.9", false},
			{"~=3.11.2", "3.11.9", true},
			{"~=3.11.2", "3.12.0", false},
			{"~=3.11.2", "3.11.1", false},
			{"===3.13.5", "3.13.5", true},
			{"===3.13", "3.13.0", false},
			{">=3.9,<3.13", "3.11.2", true},
			{">=3.9,<3.13", "3.13.5", false},
			{" >= 3.9 , < 3.13 ", "3.12.1", true},
			{">=3.9,", "3.13.5", true},
			{">=3.09", "3.10.0", true},
		} {
			set, err := pyversion.ParseSpecifiers(c.set)
			Expect(err).NotTo(HaveOccurred(), c.set)
			Expect(set.Contains(version(c.version))).To(Equal(c.want), "%s contains %s", c.set, c.version)
		}
	})

	it("writes a set back in its normal form", func() {
		set, err := pyversion.ParseSpecifiers(" >= 3.9 , != 3.10.* ,<4")
		Expect(err).NotTo(HaveOccurred())
		Expect(set.String()).To(Equal(">=3.9,!=3.10.*,<4"))
	})

	it("tells which minors some release satisfies", func() {
		for _, c := range []struct {
			set   string
			minor string
			want  bool
		}{
			{">=3.11.4", "3.11", true},
			{"<3.11.4", "3.11", true},
			{">3.11.4,<3.11.5", "3.11", false},
			{">3.11.4", "3.11", true},
			{"!=3.11.0,<3.11.2", "3.11", true},
			{"!=3.11.0,!=3.11.1,<3.11.2", "3.11", false},
			{"==3.11.9", "3.11", true},
			{"==3.12.*", "3.11", false},
			{">=3.12", "3.11", false},
			{"<3.12", "3.11", true},
			{"!=3.11.*", "3.11", false},
			{"===3.11.2", "3.11", true},
			{">=3.11.1000000", "3.11", true},
		} {
			set, err := pyversion.ParseSpecifiers(c.set)
			Expect(err).NotTo(HaveOccurred(), c.set)
			Expect(set.AllowsMinor(version(c.minor))).To(Equal(c.want), "%s allows %s", c.set, c.minor)
		}
	})

	it("rejects what is not a PEP 440 release specifier, saying what to write", func() {
		for _, c := range []struct {
			set  string
			says string
		}{
			{"", "empty"},
			{" , ", "empty"},
			{"3.12", `write >=3.12 or ==3.12.*`},
			{"^3.11", "write >=3.11,<4"},
			{"~3.11", "write ~=3.11"},
			{"=3.11", "write ==3.11"},
			{"^", "does not start with a PEP 440 operator"},
			{"python>=3.9", "does not start with a PEP 440 operator"},
			{"*", "does not start with a PEP 440 operator"},
			{">=3.12.*", "only == and != take a .* wildcard"},
			{"~=3", "at least two numbers"},
			{">=3.12rc1", "pre-releases"},
			{">=3.12+local", "local versions are not supported"},
			{">=", "no version after >="},
			{"<=1!3.13", "epochs"},
			{"==3..12", "not a release version"},
			{"===", "=== needs one version"},
			{">=3.9;<4", "not a release version"},
		} {
			_, err := pyversion.ParseSpecifiers(c.set)
			Expect(err).To(MatchError(ContainSubstring(c.says)), c.set)
		}
	})

	it("rejects versions that are not releases", func() {
		for _, s := range []string{"", "3.13t", "3.-1", "3.+1", "v3.13", "3.13.5.dev0"} {
			_, err := pyversion.ParseVersion(s)
			Expect(err).To(HaveOccurred(), s)
		}
		Expect(version("3.13.5").Compare(version("3.13.5.0"))).To(Equal(0))
		Expect(version("3.9").Compare(version("3.13"))).To(Equal(-1))
		Expect(version("3.13.5").Minor()).To(Equal("3.13"))
	})
}
