#ifndef RUNBOX_BOX_H
#define RUNBOX_BOX_H

/* runbox-launch --mount-box / --umount-box (see box.c); argv[1] names the mode. */
int box_main(int argc, char **argv);

#endif
