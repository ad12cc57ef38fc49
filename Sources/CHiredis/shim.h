#ifndef SWIFTBEAT_CHIREDIS_SHIM_H
#define SWIFTBEAT_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
