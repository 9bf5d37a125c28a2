// Helpers shared by the pack. Private rules never report; the reporting rules use them to stay
// quiet where an indicator is only being talked about, not used.
//
// Every reporting rule has meta category, severity and description (checked at load). Meta
// `anchors` ("$a $kw_*") names the strings at least one of which must match for the rule to fire
// (default: all its strings). Content is first scanned with only the anchors of every rule, and
// with the whole pack only where one hit, so a rule whose anchors are listed wrong stays silent:
// test/malware-disguises.test.ts checks that every sample fires the same rules either way. Make
// anchors rare: what the scan costs is the places where an anchor's first bytes occur, so a
// string that starts with `(`, `name=` or a two-letter word is a poor anchor. An anchor-only
// string is named `$_...` (YARA-X allows it unused): say beside it why every match of the rule
// holds it, and name the rule's strings in its condition rather than `them`. Meta `confirm`
// names strings the rule also needs that are too costly to look for everywhere (a wallet
// address, which has no literal): where only such rules' anchors hit, those strings are looked
// for before the whole pack runs.
//
// The `filename` global is the basename of the file (or archive member) being scanned, in lower
// case, after a "/" (`/readme.md`): the native binding reads a bare "1" or "true" as a number or
// a boolean and refuses it. Rules never need it to fire: it only keeps documentation from firing.
//
// Modules that parse every scanned file (elf, macho, dotnet...) are not used: their cost is paid
// on every file of every image. The header fields a rule needs are read directly (below); `pe`
// rules live in files of their own, scanned only on content that starts with "MZ".

private rule exe_magic
{
    condition:
        uint32(0) == 0x464c457f
        or uint16(0) == 0x5a4d
        or uint32(0) == 0xfeedfacf
        or uint32(0) == 0xcffaedfe
        or uint32(0) == 0xfeedface
        or uint32(0) == 0xcefaedfe
        or uint32(0) == 0xbebafeca
}

// An ELF file with no section headers (e_shnum 0) but with program headers (e_phnum > 0): what
// packers and hand-made loaders leave. The offsets are those of the ELF header, 32 and 64 bit,
// either byte order.
private rule elf_header_no_sections
{
    condition:
        uint32(0) == 0x464c457f
        and (
            (uint8(4) == 2 and uint8(5) == 1 and uint16(0x3c) == 0 and uint16(0x38) > 0)
            or (uint8(4) == 2 and uint8(5) == 2 and uint16be(0x3c) == 0 and uint16be(0x38) > 0)
            or (uint8(4) == 1 and uint8(5) == 1 and uint16(0x30) == 0 and uint16(0x2c) > 0)
            or (uint8(4) == 1 and uint8(5) == 2 and uint16be(0x30) == 0 and uint16be(0x2c) > 0)
        )
}

// Detection content: YARA rules, Sigma rules, ATT&CK/STIX bundles, ClamAV signature lists. A
// scanner image (this one included) ships them, and they name every indicator in the pack.
private rule detection_content
{
    strings:
        $yara_rule = /(^|\n)[ \t]*(private[ \t]+|global[ \t]+)*rule[ \t]+[A-Za-z_][A-Za-z0-9_]{0,127}[ \t]*(:[^\n{]{0,200})?\{?[ \t]*\r?\n/
        $yara_strings = /\n[ \t]*strings[ \t]*:[ \t]*\r?\n/
        $yara_condition = /\n[ \t]*condition[ \t]*:[ \t]*\r?\n/
        $sigma_detection = /\ndetection:[ \t]*\r?\n/
        $sigma_logsource = /\nlogsource:[ \t]*\r?\n/
        $stix_mitre = "\"x_mitre_"
        $stix_pattern = "\"attack-pattern\""
    condition:
        ($yara_rule and $yara_strings and $yara_condition)
        or ($sigma_detection and $sigma_logsource)
        or ($stix_mitre and $stix_pattern)
}

// Prose about commands (manuals, READMEs, man pages): a one-liner quoted there runs nowhere.
// A name is not enough where the content is a script: one that starts with "#!" (0x2123), or
// is named like a script (`license.sh`, `news.py`), runs whatever it is called.
private rule documentation
{
    strings:
        $troff_title = /(^|\n)\.(TH|Dd)[ \t]/
        $troff_comment = ".\\\""
    condition:
        uint16(0) != 0x2123
        and not filename matches /\.(sh|bash|zsh|ksh|py|pl|rb|php[0-9]?|phtml|js|mjs|cjs|ps1|psm1|bat|cmd|vbs|lua)$/
        and (
            filename matches /\.(md|markdown|rst|txt|adoc|asciidoc|html?|xml|tex|texi|info|pod|[1-9]|[1-9]\.gz)$/
            or filename matches /\/(readme|changelog|changes|news|history|faq|copying|license)([._-]|$)/
            or $troff_title
            or $troff_comment at 0
        )
}
