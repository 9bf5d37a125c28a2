// Web shells: server-side scripts that run what a request tells them to.

private rule php_code
{
    strings:
        $open = "<?php" nocase
        $short = /<\?(=|\s)/
    condition:
        $open or $short
}

rule webshell_php_eval_input
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "PHP code execution fed straight from request input"
    strings:
        // eval($_POST['x']), system(base64_decode($_GET['c'])), assert(stripslashes($_REQUEST[...]))
        $exec_input = /(^|[^>:\w$])(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|create_function|call_user_func|call_user_func_array)\s*\(\s*((base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|stripslashes|trim|urldecode|rawurldecode|hex2bin|strrev|escapeshellcmd|file_get_contents)\s*\(\s*){0,4}@?\$_(GET|POST|REQUEST|COOKIE|FILES|SERVER\s*\[\s*['"]HTTP_)/ nocase
        // `$_GET[cmd]` in backticks runs a shell command (as code: after <?=, echo, = or "(", not
        // quoted in a doc comment)
        $backtick = /(<\?=|\becho|\bprint|\breturn|=|\()\s*`\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[/
        // $_GET['f']($_GET['a']): the request names the function too
        $dynamic = /\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)/
        // $f($_POST['x']): a variable function (built from chr(), str_rot13, "as"."sert"...) on input;
        // not a method named by a variable ($obj->$action(...))
        $var_call = /(^|[^>:\w$])\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*\(\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[/
        // array_map('assert', $_POST), call_user_func('system', ...), create_function('', $_POST[...])
        $callback = /((array_map|call_user_func|call_user_func_array|array_filter|array_walk|usort|uasort|uksort|register_shutdown_function|forward_static_call)\s*\(\s*["'](assert|system|eval|passthru|shell_exec|exec|popen)["']\s*,|create_function\s*\(\s*["'][^"']{0,40}["']\s*,)[^;]{0,80}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // code included from the request body (eval of it is left out: development servers' consoles
        // do exactly that)
        $php_input = /(include|require)(_once)?\s*\(?\s*["']php:\/\/input["']/
        // $f = $_POST['x']; ... eval($f)
        $indirect = /\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*=\s*((base64_decode|gzinflate|str_rot13|stripslashes|urldecode)\s*\(\s*|\(\s*){0,3}\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\)*\s*;\s*(@\s*)?(eval|assert|system|passthru|shell_exec)\s*\(\s*((base64_decode|gzinflate|str_rot13)\s*\(\s*){0,3}\$[A-Za-z_]/ nocase
    condition:
        not detection_content and php_code and filesize < 2MB and any of them
}

rule webshell_php_preg_replace_eval
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "PHP preg_replace with the /e (evaluate) modifier on request input"
    strings:
        $preg_e = /preg_replace\s*\(\s*["'][\/#|!~@%][^"'\n]{0,200}[\/#|!~@%][imsxuADSUXJ]{0,8}e[imsxuADSUXJ]{0,8}["']\s*,[^;\n]{0,300}\$_(GET|POST|REQUEST|COOKIE)/
    condition:
        not detection_content and php_code and $preg_e
}

rule webshell_php_obfuscated_eval
{
    meta:
        category = "webshell"
        severity = "high"
        description = "PHP eval of an encoded blob (decoder chain or a long base64 literal)"
    strings:
        $chain = /(^|[^>:\w$])(eval|assert)\s*\(\s*@?(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|convert_uudecode)\s*\(\s*@?(gzinflate|gzuncompress|gzdecode|str_rot13|base64_decode|strrev|convert_uudecode)\s*\(/ nocase
        $b64_literal = /(^|[^>:\w$])(eval|assert)\s*\(\s*@?base64_decode\s*\(\s*["'][A-Za-z0-9+\/=]{200}/ nocase
        // eval($_POST[...]) itself hidden in a base64 literal
        $b64_eval_input = "eval($_" base64
        $create_b64 = /create_function\s*\(\s*["'][^"']{0,40}["']\s*,\s*(base64_decode|gzinflate|str_rot13)\s*\(/ nocase
    condition:
        not detection_content and php_code and filesize < 5MB and any of them
}

rule webshell_php_known_family
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "Known PHP web shell family (c99, r57, b374k, WSO, Alfa and kin)"
        anchors = "$wso_action $c99 $c99_fn $r57 $b374k $wso_fn $wso_ver $alfa $indo $mini"
    strings:
        $c99 = "c99shell" nocase
        $c99_fn = "c99_buff_prepare"
        $r57 = "r57shell" nocase
        $b374k = "b374k" nocase
        $wso_action = /\$default_action\s*=\s*['"]FilesMan['"]/
        $wso_fn = "FilesMan"
        $wso_ver = "wso_version"
        $alfa = "ALFA_DATA"
        $indo = "IndoXploit"
        $mini = "Mini Shell" nocase
        $exec_system = /(^|[^>:\w$])(system|passthru|shell_exec|popen|proc_open)\s*\(/
        $exec_uname = "posix_getpwuid"
    condition:
        php_code and not detection_content and filesize < 5MB
        and (
            $wso_action
            or (1 of ($c99, $c99_fn, $r57, $b374k, $wso_fn, $wso_ver, $alfa, $indo, $mini) and 1 of ($exec_*))
        )
}

rule webshell_jsp_command
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "JSP page that runs a command taken from the request"
        anchors = "$_runtime_exec $_process_builder $_define_class"
    strings:
        $jsp = "<%"
        $jspx = "<jsp:scriptlet>"
        $direct = /(Runtime\.getRuntime\(\)\.exec|new\s+ProcessBuilder)\s*\(\s*(new\s+String\s*\[\s*\]\s*\{[^}]{0,80})?request\.getParameter\s*\(/
        $runtime = "Runtime.getRuntime().exec("
        $builder = "new ProcessBuilder("
        $param = "request.getParameter("
        $output = /getInputStream\s*\(\s*\)/
        // Behinder/Godzilla style: a class sent in the request, defined and run on the page
        $classloader = /defineClass\s*\([^\n]{0,400}\.newInstance\s*\(\s*\)\.equals\s*\(\s*pageContext/
        // Anchors only: what each way of running a command must name.
        $_runtime_exec = "Runtime.getRuntime().exec"
        $_process_builder = "ProcessBuilder"
        $_define_class = "defineClass"
    condition:
        not detection_content and ($jsp or $jspx) and filesize < 1MB
        and ($direct or (($runtime or $builder) and $param and $output) or $classloader)
}

rule webshell_asp_eval_request
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "ASP/ASPX page that evaluates request input (China Chopper style)"
        anchors = "$eval_asp $eval_aspx"
    strings:
        $asp = "<%"
        $eval_asp = /\b(eval|execute|executeglobal)\s*\(?\s*request(\.form|\.querystring|\.item)?\s*\(/ nocase
        $eval_aspx = /\beval\s*\(\s*Request(\.Item|\.Form|\.QueryString)?\s*\[/ nocase
    condition:
        not detection_content and $asp and filesize < 1MB and ($eval_asp or $eval_aspx)
}

rule webshell_aspx_cmd_exec
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "ASPX page that starts cmd.exe or PowerShell with request input"
        anchors = "$cmd $wsh_run"
    strings:
        $page = /<%@\s*Page\b/ nocase
        $cmd = /["'](cmd(\.exe)?|powershell(\.exe)?)["']/ nocase
        $start = /(Process\.Start|ProcessStartInfo|StartInfo\.FileName|Shell\s*\(|WScript\.Shell)/ nocase
        $input = /Request(\.Form|\.QueryString|\.Item|\.Params)?\s*[\[\(]/
        $wsh_run = /CreateObject\s*\(\s*["']WScript\.Shell["']\s*\)[^\n]{0,200}\.(Run|Exec)\s*\([^\n]{0,100}Request/ nocase
    condition:
        not detection_content and filesize < 1MB and (($page and $cmd and $start and $input) or $wsh_run)
}
