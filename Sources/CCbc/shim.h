// CBC ships a C interface; this header only makes it visible to Swift.
#include <Cbc_C_Interface.h>
