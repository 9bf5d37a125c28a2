// Windows executables judged by what they import. The pe module parses the file on every scan, so
// files that import it hold only rules for PE files: the native engine scans them on content that
// starts with "MZ" and nowhere else (see rules-pack.ts).

import "pe"

rule windows_pe_process_injection
{
    meta:
        category = "windows-malware"
        severity = "high"
        description = "Windows executable importing the classic remote process-injection set"
    condition:
        pe.is_pe
        and pe.imports("kernel32.dll", "VirtualAllocEx")
        and pe.imports("kernel32.dll", "WriteProcessMemory")
        and (
            pe.imports("kernel32.dll", "CreateRemoteThread")
            or pe.imports("kernel32.dll", "CreateRemoteThreadEx")
            or pe.imports("kernel32.dll", "QueueUserAPC")
            or pe.imports("kernel32.dll", "SetThreadContext")
            or pe.imports("ntdll.dll", "NtCreateThreadEx")
            or pe.imports("ntdll.dll", "RtlCreateUserThread")
        )
        and (
            pe.imports("kernel32.dll", "OpenProcess")
            or pe.imports("kernel32.dll", "CreateProcessA")
            or pe.imports("kernel32.dll", "CreateProcessW")
        )
}

rule windows_pe_lsass_dump
{
    meta:
        category = "hacktool"
        severity = "high"
        description = "Windows executable importing MiniDumpWriteDump that names lsass.exe (credential dumping)"
    strings:
        $lsass = "lsass.exe" ascii wide nocase
    condition:
        pe.is_pe
        and (
            pe.imports("dbghelp.dll", "MiniDumpWriteDump")
            or pe.imports("dbgcore.dll", "MiniDumpWriteDump")
        )
        and $lsass
}
