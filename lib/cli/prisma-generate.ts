import { ensurePrismaClient } from "./steps/prisma-client";

ensurePrismaClient({ force: true });
