/**
 * The bpftrace program for one container. Tracepoints only (this kernel has no kprobes), every
 * probe filtered by the container's cgroup-v2 id because bpftrace sees the whole VM. Each line
 * starts with a per-run random token: a file name or argv element containing a newline can then
 * not forge a line of its own, because the forger cannot know the token.
 *
 * Line grammar (fields separated by one space; the last field is text, `\x1f` separating two
 * strings):
 *   TOK EXEC ns pid ppid nlink path    TOK EXE ns pid exe-name    TOK ARGV ns pid arg\x1farg...
 *   TOK FORK ns parent child                       TOK EXIT ns pid
 *   TOK OPEN ns pid ret flags mode dfd path        TOK UNLINK ns pid dfd path
 *   TOK RENAME ns pid olddfd newdfd old + TOK RENAMETO ns pid new   TOK CHMOD ns pid dfd mode path
 *   TOK MKDIR ns pid dfd path                      TOK CHDIR ns pid path
 *   TOK CONN|SENDTO ns pid family socktype port address
 *   TOK MEMFD ns pid name                          TOK DUP ns pid newfd family
 */

/** The cgroup id filter accepts only a plain absolute directory path (it is pasted into the script). */
export function bpftraceScript(token: string, cgroupDir: string): string {
  if (!/^[A-Za-z0-9]{4,32}$/.test(token)) throw new Error('bad bpftrace token');
  if (!/^\/[A-Za-z0-9_./:@+-]+$/.test(cgroupDir) || cgroupDir.includes('..')) {
    throw new Error(`cgroup path not usable in a bpftrace filter: ${cgroupDir}`);
  }
  const F = `/cgroup == cgroupid("${cgroupDir}")/`;
  const T = token;
  const sockaddr = (kind: string, ptr: string, fd: string) => `
  $sa = (struct sockaddr *)${ptr};
  $fam = $sa->sa_family;
  $f = *(curtask->files->fdt->fd + ${fd});
  $type = ((struct socket *)$f->private_data)->type;
  if ($fam == 2) {
    $s4 = (struct sockaddr_in *)$sa;
    printf("${T} ${kind} %llu %d 2 %d %d %s\\n", nsecs, pid, $type, ($s4->sin_port >> 8) | (($s4->sin_port & 0xff) << 8), ntop(2, $s4->sin_addr.s_addr));
  } else if ($fam == 10) {
    $s6 = (struct sockaddr_in6 *)$sa;
    printf("${T} ${kind} %llu %d 10 %d %d %s\\n", nsecs, pid, $type, ($s6->sin6_port >> 8) | (($s6->sin6_port & 0xff) << 8), ntop(10, $s6->sin6_addr.in6_u.u6_addr8));
  } else if ($fam == 1) {
    $su = (struct sockaddr_un *)$sa;
    printf("${T} ${kind} %llu %d 1 %d 0 %s\\n", nsecs, pid, $type, $su->sun_path);
  }`;
  // `args->ret` is read first: reading it after the map lookups trips the verifier
  // ("dereference of modified ctx ptr") with bpftrace 0.17.
  const open = (sys: string, dfd: string, path: string, flags: string, mode: string) => `
tracepoint:syscalls:sys_enter_${sys} ${F} {
  @op[tid] = (uint64)args->${path}; @ofl[tid] = ${flags}; @omo[tid] = ${mode}; @odf[tid] = ${dfd};
}
tracepoint:syscalls:sys_exit_${sys} /@op[tid] != 0/ {
  $ret = args->ret;
  if ((@ofl[tid] & 0x243) != 0 || ($ret >= 0 && (@ofl[tid] & 0x10000) == 0)) {
    printf("${T} OPEN %llu %d %d %d %d %d %s\\n", nsecs, pid, $ret, @ofl[tid], @omo[tid], @odf[tid], str(uptr(@op[tid])));
  }
  delete(@op[tid]); delete(@ofl[tid]); delete(@omo[tid]); delete(@odf[tid]);
}`;
  // Two strings in one printf overflow the 512-byte BPF stack: the new name gets its own line.
  const rename = (dfds: string) =>
    `printf("${T} RENAME %llu %d %d %d %s\\n", nsecs, pid, ${dfds}, str(args->oldname)); ` +
    `printf("${T} RENAMETO %llu %d %s\\n", nsecs, pid, str(args->newname));`;
  const dup = (sys: string) => `
tracepoint:syscalls:sys_enter_${sys} ${F} {
  if (args->newfd <= 2) {
    $f = *(curtask->files->fdt->fd + args->oldfd);
    $fam = 0;
    if ((($f->f_inode->i_mode) & 0xf000) == 0xc000) {
      $fam = ((struct socket *)$f->private_data)->sk->__sk_common.skc_family;
    }
    printf("${T} DUP %llu %d %d %d\\n", nsecs, pid, args->newfd, $fam);
  }
}`;
  // BEGIN fires once every probe is attached: READY is the moment the container may start.
  // END empties the scratch maps so bpftrace's exit dump adds no untagged lines.
  return `
BEGIN { printf("${T} READY\\n"); }
END { clear(@op); clear(@ofl); clear(@omo); clear(@odf); printf("${T} END\\n"); }
tracepoint:sched:sched_process_exec ${F} {
  printf("${T} EXEC %llu %d %d %d %s\\n", nsecs, pid, curtask->real_parent->tgid, curtask->mm->exe_file->f_inode->i_nlink, str(args->filename));
  printf("${T} EXE %llu %d %s\\n", nsecs, pid, str(curtask->mm->exe_file->f_path.dentry->d_name.name));
}
tracepoint:syscalls:sys_enter_execve ${F} { printf("${T} ARGV %llu %d ", nsecs, pid); join(args->argv, "\\x1f"); }
tracepoint:syscalls:sys_enter_execveat ${F} { printf("${T} ARGV %llu %d ", nsecs, pid); join(args->argv, "\\x1f"); }
tracepoint:sched:sched_process_fork ${F} { printf("${T} FORK %llu %d %d\\n", nsecs, pid, args->child_pid); }
tracepoint:sched:sched_process_exit ${F} { if (pid == tid) { printf("${T} EXIT %llu %d\\n", nsecs, pid); } }
${open('openat', 'args->dfd', 'filename', 'args->flags', 'args->mode')}
${open('open', '-100', 'filename', 'args->flags', 'args->mode')}
${open('creat', '-100', 'pathname', '0x241', 'args->mode')}
tracepoint:syscalls:sys_enter_unlinkat ${F} { printf("${T} UNLINK %llu %d %d %s\\n", nsecs, pid, args->dfd, str(args->pathname)); }
tracepoint:syscalls:sys_enter_unlink ${F} { printf("${T} UNLINK %llu %d -100 %s\\n", nsecs, pid, str(args->pathname)); }
tracepoint:syscalls:sys_enter_renameat2 ${F} { ${rename('args->olddfd, args->newdfd')} }
tracepoint:syscalls:sys_enter_renameat ${F} { ${rename('args->olddfd, args->newdfd')} }
tracepoint:syscalls:sys_enter_rename ${F} { ${rename('-100, -100')} }
tracepoint:syscalls:sys_enter_fchmodat ${F} { printf("${T} CHMOD %llu %d %d %d %s\\n", nsecs, pid, args->dfd, args->mode, str(args->filename)); }
tracepoint:syscalls:sys_enter_chmod ${F} { printf("${T} CHMOD %llu %d -100 %d %s\\n", nsecs, pid, args->mode, str(args->filename)); }
tracepoint:syscalls:sys_enter_mkdirat ${F} { printf("${T} MKDIR %llu %d %d %s\\n", nsecs, pid, args->dfd, str(args->pathname)); }
tracepoint:syscalls:sys_enter_mkdir ${F} { printf("${T} MKDIR %llu %d -100 %s\\n", nsecs, pid, str(args->pathname)); }
tracepoint:syscalls:sys_enter_chdir ${F} { printf("${T} CHDIR %llu %d %s\\n", nsecs, pid, str(args->filename)); }
tracepoint:syscalls:sys_enter_connect ${F} {${sockaddr('CONN', 'args->uservaddr', 'args->fd')}
}
tracepoint:syscalls:sys_enter_sendto ${F} {
  if (args->addr != 0) {${sockaddr('SENDTO', 'args->addr', 'args->fd')}
  }
}
tracepoint:syscalls:sys_enter_memfd_create ${F} { printf("${T} MEMFD %llu %d %s\\n", nsecs, pid, str(args->uname)); }
${dup('dup2')}
${dup('dup3')}
`;
}
