"""The kernels a recurrent layer can run and the choice between them (`implementation`)."""
