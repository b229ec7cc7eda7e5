// glibc 2.35/2.36 functions that the static runtime libraries of Debian 12's GCC 12 call, answered
// here from older glibc functions, so that the portable binary needs glibc 2.34 only (Amazon Linux
// 2023 and EMR 7, RHEL 9). packaging/portable/portable.cmake links this file into `sluice` only;
// tests/packaging/portable_binary_test.sh proves no symbol above GLIBC_2.34 is left. Defined in
// the executable, these resolve the runtime libraries' references at link time, so the dynamic
// linker never looks for glibc's versions.
//
// _dl_find_object (2.35): GCC 12's static unwinder (libgcc_eh.a, linked by -static-libgcc) finds a
// function's unwind tables with glibc's _dl_find_object when the toolchain's glibc has it (2.35 and
// later, as on Debian 12). Linked against the host's libc, that makes the binary need GLIBC_2.35,
// which Amazon Linux 2023 (glibc 2.34, EMR 7) and RHEL 9 lack: the binary would not start there.
// Defined here, the unwinder's reference resolves to this function at link time instead, and it
// answers the same question with dl_iterate_phdr (glibc 2.2.5): the loaded object whose PT_LOAD
// segments hold the address, and its PT_GNU_EH_FRAME segment. It is slower than glibc's (a walk of
// the loaded objects per frame), which only exceptions pay, and the data path throws none.
//
// arc4random (2.36): libstdc++'s std::random_device (cpp-httplib seeds its multipart boundaries
// with one) draws from it; here it reads the kernel's generator, getrandom(2) (2.25), as glibc's
// own arc4random does.
#include <dlfcn.h>
#include <link.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <ctime>

namespace {

struct Search {
  uintptr_t address;
  dl_find_object* result;
  bool found;
};

int Visit(dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<Search*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  bool contains = false;
  const ElfW(Phdr)* eh_frame = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type == PT_LOAD) {
      const uintptr_t start = info->dlpi_addr + phdr.p_vaddr;
      const uintptr_t end = start + phdr.p_memsz;
      low = start < low ? start : low;
      high = end > high ? end : high;
      contains = contains || (search->address >= start && search->address < end);
    } else if (phdr.p_type == PT_GNU_EH_FRAME) {
      eh_frame = &phdr;
    }
  }
  if (!contains) return 0;
  dl_find_object* r = search->result;
  r->dlfo_flags = 0;
  r->dlfo_map_start = reinterpret_cast<void*>(low);
  r->dlfo_map_end = reinterpret_cast<void*>(high);
  r->dlfo_link_map = nullptr;  // not read by the unwinder
  r->dlfo_eh_frame =
      eh_frame ? reinterpret_cast<void*>(info->dlpi_addr + eh_frame->p_vaddr) : nullptr;
  search->found = true;
  return 1;
}

}  // namespace

// Returns 0 and fills `result` when `address` lies in a loaded object; -1 otherwise (glibc's
// contract, dlfcn.h).
extern "C" int _dl_find_object(void* address, dl_find_object* result) noexcept {
  Search search{reinterpret_cast<uintptr_t>(address), result, false};
  dl_iterate_phdr(Visit, &search);
  return search.found ? 0 : -1;
}

// A uniformly random 32-bit value from the kernel's generator; waits (once, at boot) until it is
// seeded, as glibc's arc4random does.
extern "C" uint32_t arc4random() noexcept {
  uint32_t value = 0;
  for (;;) {
    const ssize_t n = getrandom(&value, sizeof(value), 0);
    if (n == static_cast<ssize_t>(sizeof(value))) return value;
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  // No getrandom (Linux before 3.17, which no supported distribution runs): the clock.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint32_t>(now.tv_nsec) ^ static_cast<uint32_t>(now.tv_sec);
}
