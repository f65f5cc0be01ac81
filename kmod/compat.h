/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tcm_remote needs to know about the kernel it is built for.  Kbuild
 * finds it out by compiling the probes in probes/ against that kernel's
 * headers (see Kbuild), never from its version number:
 *
 * REMOTE_HAS_OWN_RTPI  target core keeps the relative target port
 *                      identifier per LUN (se_lun.lun_rtpi, from a
 *                      per-device counter) and has no tpgt_N/rtpi, as
 *                      before Linux 6.4; tcm_remote then provides
 *                      tpgt_N/rtpi and local_rtpi itself.
 */
#ifndef TCM_REMOTE_COMPAT_H
#define TCM_REMOTE_COMPAT_H

#ifndef REMOTE_PROBED
#error "build tcm_remote through its Kbuild file, which probes the kernel"
#endif

#endif /* TCM_REMOTE_COMPAT_H */
