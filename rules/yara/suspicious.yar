// Weak signals worth showing but not failing an image on by themselves.

import "math"

rule eicar_test_file
{
    meta:
        category = "suspicious"
        severity = "low"
        description = "EICAR anti-virus test file (harmless; proves the scanner looks)"
    strings:
        $head = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" ascii
        $tail = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*" ascii
    condition:
        $head at 0 and $tail at 28 and filesize <= 128
}

rule suspicious_upx_packed_elf
{
    meta:
        category = "suspicious"
        severity = "medium"
        description = "ELF executable packed with UPX (hides its code from static inspection)"
    strings:
        $upx_magic = "UPX!"
        $upx_info = "$Info: This file is packed with the UPX executable packer"
    condition:
        uint32(0) == 0x464c457f and ($upx_magic in (0..1024) or $upx_info)
}

rule suspicious_elf_packed_no_sections
{
    meta:
        category = "suspicious"
        severity = "medium"
        description = "ELF executable with no section headers and near-random content (packed or encrypted)"
    condition:
        uint32(0) == 0x464c457f
        and filesize > 16KB and filesize < 64MB
        and elf_header_no_sections
        and math.entropy(0, filesize) > 7.2
}
