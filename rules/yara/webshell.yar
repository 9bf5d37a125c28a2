// Web shells: server-side scripts that run what a request tells them to.

private rule php_code
{
    strings:
        $open = "<?php" nocase
        // `<?=`, `<? `, and short tags glued to code: `<?@eval(`, `<?system(`, `<?$x=` (not `<?xml ...`)
        $short = /<\?(=|\s|@|\$|\\?[A-Za-z_][A-Za-z0-9_]{0,30}\s*\()/
        $script = /<script\s+language\s*=\s*["']?php/ nocase
    condition:
        $open or $short or $script
}

rule webshell_php_eval_input
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "PHP code execution fed straight from request input"
    strings:
        // eval($_POST['x']), system(base64_decode($_GET['c'])), assert(stripslashes($_REQUEST[...]))
        $exec_input = /(^|[^>:\w$]|[^-]>)(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|create_function|call_user_func|call_user_func_array)\s*(\/\*[^*]{0,40}\*\/\s*)?\(\s*((base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|stripslashes|trim|urldecode|rawurldecode|hex2bin|strrev|escapeshellcmd|file_get_contents)\s*\(\s*){0,4}@?\$_(GET|POST|REQUEST|COOKIE|FILES|SERVER\s*\[\s*['"]HTTP_)/ nocase
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
        // Inputs other than the superglobals: filter_input(INPUT_GET, ...), getenv("HTTP_X_..."),
        // ${"_POST"}[...] (a join the de-split copy has undone)
        $exec_other = /(^|[^>:\w$])(eval|assert|system|passthru|shell_exec|exec|popen|proc_open)\s*\(\s*@?((base64_decode|gzinflate|str_rot13|stripslashes|trim|urldecode|hex2bin)\s*\(\s*){0,3}(filter_input\s*\(\s*INPUT_(GET|POST|REQUEST|COOKIE|SERVER)|getenv\s*\(\s*["']HTTP_|\$\{\s*["']_(GET|POST|REQUEST|COOKIE)["']\s*\}\s*\[)/
        // pcntl_exec('/bin/sh', array('-c', $_GET['c'])); (new COM('WScript.Shell'))->Run($_GET['c']);
        // file_put_contents($_GET['n'], $_POST['d']): the request names the file and writes it
        $exec_args = /(pcntl_exec\s*\([^;]{0,80}|new\s+COM\s*\(\s*["']WScript\.Shell["']\s*\)[^;]{0,20};[^\n]{0,60}->(Run|Exec)\s*\([^;]{0,20}|file_put_contents\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*,\s*)\$_(GET|POST|REQUEST|COOKIE)\s*\[/
        // foreach ($_POST as $k => $v) { $k($v); }: every key names a function
        $foreach_call = /foreach\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)\s+as\s+\$[A-Za-z_]\w{0,30}\s*=>\s*\$[A-Za-z_]\w{0,30}\s*\)\s*\{?\s*@?\$[A-Za-z_]\w{0,30}\s*\(\s*\$/
        // Callbacks where the input comes first: array_filter(array($_GET['c']), 'system'), or the
        // request names the callback: usort($a, $_POST['f']), register_shutdown_function($_GET['f'])
        $callback_after = /(array_filter|array_map|array_walk|usort|uasort|uksort)\s*\([^;]{0,80}\$_(GET|POST|REQUEST|COOKIE)[^;]{0,80},\s*["'](assert|system|eval|passthru|shell_exec|exec|popen)["']\s*\)/
        $callback_named = /((usort|uasort|uksort|array_walk|array_filter)\s*\([^;,]{1,60},|(array_map|register_shutdown_function|register_tick_function|set_error_handler|set_exception_handler|iterator_apply|forward_static_call|forward_static_call_array)\s*\()\s*@?\$_(GET|POST|REQUEST|COOKIE)\s*\[/
        // new ReflectionFunction('system') ... ->invoke($_GET['c'])
        $reflection = /new\s+ReflectionFunction\s*\(\s*(["'](system|passthru|shell_exec|exec|assert|popen|proc_open|eval)["']|\$_(GET|POST|REQUEST|COOKIE))[^;]{0,10};[^\n]{0,120}->invoke(Args)?\s*\([^;]{0,40}\$_(GET|POST|REQUEST|COOKIE)/
        // mb_ereg_replace(..., $_REQUEST['c'], ..., 'e'): the "e" option evaluates the replacement
        $mb_ereg_e = /mb_eregi?_replace\s*\([^;]{0,200}\$_(GET|POST|REQUEST|COOKIE)[^;]{0,200},\s*["'][imsxp]{0,6}e[imsxp]{0,6}["']\s*\)/
        // include($_FILES['f']['tmp_name']): runs the file just uploaded
        $include_upload = /(include|require)(_once)?\s*\(?\s*\$_FILES\s*\[[^\]]{1,40}\]\s*\[\s*["']tmp_name["']/
        // $f = $_POST['x']; ... eval($f)
        $indirect = /\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*=\s*((base64_decode|gzinflate|str_rot13|stripslashes|urldecode)\s*\(\s*|\(\s*){0,3}\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\)*\s*;\s*(@\s*)?(eval|assert|system|passthru|shell_exec)\s*\(\s*((base64_decode|gzinflate|str_rot13)\s*\(\s*){0,3}\$[A-Za-z_]/ nocase
    condition:
        not detection_content and php_code and any of them
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
        not detection_content and php_code and any of them
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
        php_code and not detection_content
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
        anchors = "$_runtime_exec $_process_builder $_define_class $_req_param $_req_header"
    strings:
        $jsp = "<%"
        $jspx = "<jsp:scriptlet>"
        // Runtime.getRuntime().exec(request.getParameter(..)), r.exec(request.getHeader(..)),
        // new ProcessBuilder(request.getParameter(..).split(" ")), exec(new String[]{.., request...})
        $direct = /(\.exec|new\s+ProcessBuilder)\s*\(\s*(new\s+String\s*\[\s*\]\s*\{[^}]{0,80})?request\.(getParameter|getParameterValues|getHeader)\s*\(/
        $runtime = "Runtime.getRuntime().exec("
        $builder = "new ProcessBuilder("
        $param = "request.getParameter("
        $output = /getInputStream\s*\(\s*\)/
        // Behinder/Godzilla style: a class sent in the request, defined and run on the page
        $classloader = /defineClass\s*\([^\n]{0,400}\.newInstance\s*\(\s*\)\.equals\s*\(\s*pageContext/
        // The request held in a variable (or an array) first: String c = request.getParameter("c");
        // String[] cmd = {"/bin/sh", "-c", request.getParameter("x")};
        $param_var = /String\s*(\[\s*\]\s*)?[A-Za-z_]\w{0,30}\s*=\s*(new\s+String\s*\[\s*\]\s*)?(\{[^}]{0,100})?request\.(getParameter|getParameterValues|getHeader)\s*\(/
        // ... then run: .exec(c), .exec(cmd), new ProcessBuilder("/bin/sh", "-c", c)
        $exec_var = /(\.exec\s*\(|new\s+ProcessBuilder\s*\(([^()]{0,80},)?)\s*[A-Za-z_]\w{0,30}\s*\)/
        // Reflection: Class.forName("java.lang.Runtime") ... .invoke(r, request.getParameter(..))
        $reflect_runtime = /Class\.forName\s*\(\s*["']java\.lang\.(Runtime|ProcessBuilder)["']/
        $invoke_input = /\.invoke\s*\([^;]{0,120}request\.(getParameter|getParameterValues|getHeader)\s*\(/
        // new ScriptEngineManager().getEngineByName("js") ... .eval(request.getParameter(..))
        $script_engine = "ScriptEngineManager"
        $eval_input = /\.eval\s*\(\s*request\.(getParameter|getHeader)\s*\(/
        // Anchors only: what each way of running a command must name.
        $_runtime_exec = "Runtime.getRuntime().exec"
        $_process_builder = "ProcessBuilder"
        $_define_class = "defineClass"
        // ... or the request it reads ($direct, $param_var, $invoke_input, $eval_input hold one)
        $_req_param = "request.getParameter"
        $_req_header = "request.getHeader"
    condition:
        not detection_content and ($jsp or $jspx)
        and (
            $direct
            or (($runtime or $builder) and $param and $output)
            or $classloader
            // the variable run within 400 bytes after it is read (the first 50 runs are tried)
            or for any i in (1..50): ($param_var in (@exec_var[i] - 400..@exec_var[i]))
            or ($reflect_runtime and $invoke_input)
            or ($script_engine and $eval_input)
        )
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
        not detection_content and $asp and ($eval_asp or $eval_aspx)
}

rule webshell_aspx_cmd_exec
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "ASPX page that starts cmd.exe or PowerShell with request input"
        anchors = "$cmd $wsh_run"
    strings:
        $page = /<%@\s*(Page|WebHandler|WebService)\b/ nocase
        $cmd = /["'](cmd(\.exe)?|powershell(\.exe)?)["']/ nocase
        $start = /(Process\.Start|ProcessStartInfo|StartInfo\.FileName|Shell\s*\(|WScript\.Shell)/ nocase
        $input = /Request(\.Form|\.QueryString|\.Item|\.Params)?\s*[\[\(]/
        $wsh_run = /CreateObject\s*\(\s*["']WScript\.Shell["']\s*\)[^\n]{0,200}\.(Run|Exec)\s*\([^\n]{0,100}Request/ nocase
    condition:
        not detection_content and (($page and $cmd and $start and $input) or $wsh_run)
}

rule webshell_php_input_flow
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "PHP request input held in a variable, then run as code or a command a few statements later"
        anchors = "$assign $assign_varvar $extract"
    strings:
        // $c = $_POST['c'];  $c = trim($_GET['c']);  $c = isset($_GET['c']) ? $_GET['c'] : 'id';
        // $x = $_POST;  $h = getallheaders();  $s = $_SERVER;  $u = $_SERVER['HTTP_USER_AGENT'];
        // $GLOBALS['x'] = $_GET['c'];  $k = ${"_POST"}  (not a comparison: `==` is left out)
        $assign = /\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*(\[[^\]\n]{1,40}\]\s*)?=\s*([^=\s;][^;\n]{0,100})?(\$_(GET|POST|REQUEST|COOKIE)\b|\$_SERVER\s*(;|\[\s*["']HTTP_)|getallheaders\s*\(|apache_request_headers\s*\(|filter_input\s*\(\s*INPUT_|\$\{\s*["']_(GET|POST|REQUEST|COOKIE|SERVER)["']\s*\})/
        // $v = "_GET"; $x = $$v;
        $assign_varvar = /\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*=\s*["']_(GET|POST|REQUEST|COOKIE|SERVER)["']\s*;[^\n]{0,80}\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*=\s*\$\$[A-Za-z_]/
        // extract($_GET): every request parameter becomes a variable
        $extract = /extract\s*\(\s*\$_(GET|POST|REQUEST|COOKIE)\s*\)/
        // A sink called on a variable: system($c), shell_exec($c), exec($cmd . " 2>&1", $o),
        // passthru(trim($c)), eval($x['a']); not a method ($db->exec($sql)) nor curl_exec($ch)
        $sink = /(^|[^>:\w$\\])(eval|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s*(\/\*[^*\n]{0,40}\*\/\s*)?\(\s*@?((trim|base64_decode|gzinflate|str_rot13|stripslashes|urldecode|rawurldecode|hex2bin|strrev)\s*\(\s*){0,3}\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*(\[[^\]\n]{1,40}\]\s*)?[).,]/ nocase
        // `$c`, `{$p['a']}` in backticks, used as a value
        $backtick = /(<\?=|\becho|\bprint|\breturn|=|\(|\.)\s*`\s*\{?\$[A-Za-z_][A-Za-z0-9_]{0,30}/
        // $a['f']($a['c']): an element of the input called as a function
        $index_call = /(^|[^>:\w$\\])\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*\[\s*["'][^"'\n]{1,30}["']\s*\]\s*\(\s*\$[A-Za-z_]/
        // $a($b), @die($ctime($atime)): after extract(), a variable named by the request, called
        $var_call = /(^|[^>:\w$\\])\$[A-Za-z_][A-Za-z0-9_]{0,30}\s*\(\s*\$[A-Za-z_]/
    condition:
        // The sink within 400 bytes after the assignment (YARA cannot tie the two names together; the
        // distance stands in for it). The first 50 sinks are tried: an unbounded loop is slow.
        not detection_content and not documentation and php_code
        and (
            for any i in (1..50): ($assign in (@sink[i] - 400..@sink[i]) or $assign_varvar in (@sink[i] - 400..@sink[i]))
            or for any i in (1..50): ($assign in (@backtick[i] - 400..@backtick[i]))
            or for any i in (1..50): ($assign in (@index_call[i] - 400..@index_call[i]))
            or for any i in (1..50): ($extract in (@var_call[i] - 200..@var_call[i]))
        )
}

rule webshell_php_remote_code
{
    meta:
        category = "webshell"
        severity = "high"
        description = "PHP that includes or evaluates code fetched from a URL"
    strings:
        // include("http://host/shell.txt"): runs what the remote host serves (allow_url_include)
        $remote_include = /(^|[^\w$>:])(include|require)(_once)?\s*\(?\s*["'](https?|ftp):\/\/[^"'\s]{1,200}["']\s*\)?\s*;/
        // eval("?>" . file_get_contents("http://...")), eval(file_get_contents('https://...'))
        $remote_eval = /(^|[^\w$>:])(eval|assert)\s*\(\s*(["']\?>["']\s*\.\s*)?@?file_get_contents\s*\(\s*["'](https?|ftp):\/\//
    condition:
        not detection_content and not documentation and php_code and ($remote_include or $remote_eval)
}

rule webshell_php_handler_hijack
{
    meta:
        category = "webshell"
        severity = "high"
        description = "Web server or PHP configuration that runs images or text as PHP, or prepends PHP from a temporary or hidden path"
        anchors = "$_handler $_prepend $_append"
    strings:
        // AddType application/x-httpd-php .jpg .gif
        $add_type = /(AddType|AddHandler)[ \t]+application\/x-httpd-php[0-9]*[ \t]+[^\n]{0,60}\.(jpe?g|gif|png|bmp|ico|webp|svg|txt|log)\b/ nocase
        // <FilesMatch "\.jpg$"> SetHandler application/x-httpd-php </FilesMatch>
        $set_handler = /<Files(Match)?[ \t][^>\n]{0,100}(jpe?g|gif|png|bmp|ico|webp|svg|txt|log)[^>\n]{0,40}>[^<]{0,300}(SetHandler|AddHandler|AddType)[ \t]+application\/x-httpd-php/ nocase
        // php_value auto_prepend_file "/var/tmp/.cache.php" (.htaccess), auto_prepend_file=/tmp/x.php
        // (.user.ini, php.ini): every page first runs a file kept where uploads and droppers live
        $prepend = /auto_(prepend|append)_file["']?[ \t]*(=[ \t]*|[ \t]+)["']?(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|php:\/\/|data:|https?:\/\/|[^"'\s;]{0,100}\/\.[A-Za-z0-9_])/
        // Anchors only: what each of the above names.
        $_handler = "x-httpd-php" nocase
        $_prepend = "auto_prepend_file"
        $_append = "auto_append_file"
    condition:
        not detection_content and not documentation and ($add_type or $set_handler or $prepend)
}

rule webshell_app_exec_request
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "Node or Python web handler that runs a command or code straight from the request"
        anchors = "$js_req $js_url $py_req"
    strings:
        // exec(req.query.cmd, ...), execSync(req.body.c), spawn("sh", ["-c", req.query.c]) (a shell:
        // execFile("git", ["log", req.query.b]) is left out),
        // eval(req.body.code), new Function(req.query.f): the request object inside the call (not
        // a regex's .exec(req.query.x), nor a method named eval on some object)
        $js_req = /((^|[^.\w$])(exec|eval)|(^|[^\w$])(execSync|execFile|execFileSync|spawn|spawnSync)|(child_process|childProcess|cp)\.exec|new\s+Function)\s*\(\s*(["'](\/bin\/)?(ba|da|z)?sh["']\s*,\s*\[\s*["']-c["']\s*,\s*)?(req|request)\.(query|body|params|headers|cookies)\b/
        // execSync(u.searchParams.get("c")) with u = new URL(req.url, ...)
        $js_url = /((^|[^.\w$])(exec|eval)|(^|[^\w$])(execSync|execFile|execFileSync|spawn|spawnSync)|(child_process|childProcess|cp)\.exec)\s*\(\s*[A-Za-z_$][\w$]{0,30}\.searchParams\.get\s*\(/
        // os.popen(request.args.get("cmd")), subprocess.getoutput(request.form["c"]),
        // eval(request.args["q"]) (Flask, and Django's request.GET/POST)
        $py_req = /((^|[^.\w])(eval|exec)|os\.(system|popen)|subprocess\.(check_output|getoutput|getstatusoutput|call|run|Popen|check_call))\s*\(\s*(\[\s*["'](\/bin\/)?(ba|da|z)?sh["']\s*,\s*["']-c["']\s*,\s*)?request\.(args|form|values|data|json|cookies|headers|GET|POST)\b/
    condition:
        not detection_content and not documentation and ($js_req or $js_url or $py_req)
}

rule webshell_cgi_exec_input
{
    meta:
        category = "webshell"
        severity = "critical"
        description = "CGI script (Python, Perl, shell) that runs a command taken from the request"
        anchors = "$py_cgi $pl_param $pl_env $sh_eval"
    strings:
        // form = cgi.FieldStorage() ... os.system(form["c"].value), check_output(f.getvalue("cmd"), shell=True)
        $py_cgi = "cgi.FieldStorage("
        $py_sink = /((^|[^.\w])(eval|exec)|os\.(system|popen)|subprocess\.(check_output|getoutput|getstatusoutput|call|run|Popen|check_call))\s*\(\s*[A-Za-z_]\w{0,30}(\.(getvalue|getfirst)\s*\(|\s*\[[^\]\n]{1,40}\]\s*\.value\b)/
        // print `$q->param("cmd")`; system($q->param('c'))
        $pl_param = /(`|\b(system|exec)\s*\(?|\bqx\s*[\(\{\/!|])\s*\$[A-Za-z_]\w{0,30}->param\s*\(/
        // system($ENV{"QUERY_STRING"}), `$ENV{QUERY_STRING}`
        $pl_env = /(`|\b(system|exec)\s*\(?|\bqx\s*[\(\{\/!|])\s*\$ENV\s*\{\s*["']?(QUERY_STRING|HTTP_[A-Z_]{1,40})\b/
        // eval "$(echo "$QUERY_STRING" | sed ...)"
        $sh_eval = /\beval[ \t]+["']?(\$\(|`)[ \t]*(echo|printf)[ \t]+[^\n]{0,6}\$\{?(QUERY_STRING|HTTP_[A-Z_]{1,40})\b/
    condition:
        not detection_content and not documentation
        and (($py_cgi and $py_sink) or $pl_param or $pl_env or $sh_eval)
}
