#include "agent/cli.h"

int main(int argc, char** argv) { return sluice::agent::Main(argc, argv); }
