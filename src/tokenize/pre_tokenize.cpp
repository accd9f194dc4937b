#include "tokenize/engines.hpp"
