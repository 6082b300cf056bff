import { randomUUID } from "node:crypto";
import { errorResponse } from "@/lib/server/http/handle-error";

// Unknown API paths answer JSON 404 (not the HTML not-found page) for every method, before
// any other check, so probing them reveals nothing about authentication or CSRF rules.
async function unknownRoute(): Promise<Response> {
  return errorResponse(404, { code: "not_found", message: "API route not found" }, randomUUID());
}

export const GET = unknownRoute;
export const POST = unknownRoute;
export const PUT = unknownRoute;
export const PATCH = unknownRoute;
export const DELETE = unknownRoute;
